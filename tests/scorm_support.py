"""Building SCORM packages from the real content, and validating their manifests with the XSDs the
package itself carries (xmlschema), for the package tests and the runtime browser tests."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import xmlschema

from trainer.scorm.manifest import SCHEMA_LOCATIONS
from trainer.scorm.package import BuiltPackage, build_package, course_for_package

PROJECT_ROOT = Path(__file__).resolve().parent.parent
COURSE = "ar-essentials"
XML_NAMESPACE_XSD = Path(xmlschema.__file__).parent / "schemas" / "XML" / "xml.xsd"


_COURSES: dict[int, Any] = {}


def _course(registry: Any) -> Any:
    """The course with package links, loaded once per content registry (per test session)."""
    if id(registry) not in _COURSES:
        _COURSES[id(registry)] = course_for_package(PROJECT_ROOT / "courses", COURSE, registry.competencies,
                                                    registry.glossary)
    return _COURSES[id(registry)]


def build(registry: Any, version: str, lang: str) -> BuiltPackage:
    """The course's package, built from the session's content registry."""
    return build_package(
        _course(registry),
        version=version,
        lang=lang,
        definitions=registry.quizzes.values(),
        questions=list(registry.banks or ()),
        images_dir=PROJECT_ROOT / "courses" / COURSE / "images",
    )


def unpack(files: dict[str, bytes], folder: Path) -> Path:
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def _xml_namespace(uri: str) -> str:
    """SCORM 1.2's ims_xml.xsd binds the xml namespace as a default namespace, which namespace-aware
    parsers refuse; the W3C schema of that namespace (the same three attributes) stands in for it."""
    return XML_NAMESPACE_XSD.as_uri() if uri.endswith("/ims_xml.xsd") else uri


def manifest_schema(folder: Path, version: str) -> xmlschema.XMLSchema:
    """The schema set a manifest names, loaded from the XSD files at the package root ``folder``.
    ``validation="lax"``: the IMS metadata XSD of SCORM 1.2 breaks the unique particle rule of XSD 1.0
    (known since 2001); the instance is still checked strictly against everything else."""
    locations = [(namespace, str(folder / name)) for namespace, name in SCHEMA_LOCATIONS[version]]
    return xmlschema.XMLSchema(locations[0][1], locations=locations, uri_mapper=_xml_namespace, validation="lax")


def manifest_tree(files: dict[str, bytes]) -> ET.Element:
    return ET.fromstring(files["imsmanifest.xml"])


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
