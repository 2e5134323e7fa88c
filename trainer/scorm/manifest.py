"""``imsmanifest.xml`` for SCORM 1.2 and SCORM 2004 4th edition, built from a :class:`PackagePlan`.

One organization; one item per course module holding one SCO per lesson and one for the module
quiz, in the course's order. Every SCO resource lists its own page and depends on one shared asset
resource (styles, scripts, images), so every file of the package is named in the manifest.

SCORM 2004 adds sequencing: choice and flow everywhere; a lesson counts towards completion only
(``rollupObjectiveSatisfied="false"``), a quiz is satisfied by its score (its primary objective is
``satisfiedByMeasure`` with the module's pass mark as ``minNormalizedMeasure``), so a module is
passed when its quiz is and complete when every SCO in it is. SCORM 1.2 has no sequencing: the quiz
carries ``adlcp:masteryscore``.

The XSDs the ``schemaLocation`` hints name sit at the package root (:data:`SCHEMA_FILES`).
Pure Python: no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree as ET

VERSIONS: tuple[str, ...] = ("1.2", "2004")

XSI = "http://www.w3.org/2001/XMLSchema-instance"
CP12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"

SCHEMA_LOCATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "1.2": (
        (CP12, "imscp_rootv1p1p2.xsd"),
        ("http://www.imsglobal.org/xsd/imsmd_rootv1p2p1", "imsmd_rootv1p2p1.xsd"),
        (ADLCP12, "adlcp_rootv1p2.xsd"),
    ),
    "2004": (
        (CP, "imscp_v1p1.xsd"),
        (ADLCP, "adlcp_v1p3.xsd"),
        (ADLSEQ, "adlseq_v1p3.xsd"),
        (ADLNAV, "adlnav_v1p3.xsd"),
        (IMSSS, "imsss_v1p0.xsd"),
    ),
}
SCHEMA_FOLDERS = {"1.2": "scorm12", "2004": "scorm2004"}
"""The folder under ``trainer/scorm/schemas/`` whose files go to the package root for a version."""


@dataclass(frozen=True)
class Sco:
    """One sharable content object: a lesson page or a module quiz page."""

    key: str  # the lesson id, or "<module id>-quiz"
    kind: str  # "lesson" or "quiz"
    title: str
    href: str  # the page, relative to the package root
    pass_mark: int | None = None  # quiz: percent needed to pass

    @property
    def item_id(self) -> str:
        return f"ITEM-{self.key}"

    @property
    def resource_id(self) -> str:
        return f"RES-{self.key}"


@dataclass(frozen=True)
class ModulePlan:
    key: str
    title: str
    scos: tuple[Sco, ...]

    @property
    def item_id(self) -> str:
        return f"MODULE-{self.key}"


@dataclass(frozen=True)
class PackagePlan:
    """What the manifest describes: the course, its modules and SCOs, and the shared files."""

    course_id: str
    title: str
    version: str
    lang: str
    modules: tuple[ModulePlan, ...]
    shared_files: tuple[str, ...]  # styles, scripts, images: relative to the package root

    @property
    def scos(self) -> tuple[Sco, ...]:
        return tuple(sco for module in self.modules for sco in module.scos)

    @property
    def identifier(self) -> str:
        return f"MANIFEST-{self.course_id}-{self.lang}-{self.version.replace('.', '')}"


SHARED_RESOURCE = "RES-shared"
ORGANIZATION = "ORG-course"


def build_manifest(plan: PackagePlan) -> bytes:
    """The manifest as UTF-8 XML bytes; raises ValueError for an unknown version."""
    if plan.version not in VERSIONS:
        raise ValueError(f"unknown SCORM version {plan.version!r} (one of {', '.join(VERSIONS)})")
    scorm12 = plan.version == "1.2"
    cp = CP12 if scorm12 else CP
    adlcp = ADLCP12 if scorm12 else ADLCP
    for prefix, uri in (("", cp), ("adlcp", adlcp), ("xsi", XSI)):
        ET.register_namespace(prefix, uri)
    if not scorm12:
        for prefix, uri in (("adlseq", ADLSEQ), ("adlnav", ADLNAV), ("imsss", IMSSS)):
            ET.register_namespace(prefix, uri)

    def tag(name: str, ns: str = cp) -> str:
        return f"{{{ns}}}{name}"

    root = ET.Element(tag("manifest"), {"identifier": plan.identifier, "version": "1"})
    root.set(f"{{{XSI}}}schemaLocation", " ".join(f"{ns} {loc}" for ns, loc in SCHEMA_LOCATIONS[plan.version]))
    metadata = ET.SubElement(root, tag("metadata"))
    ET.SubElement(metadata, tag("schema")).text = "ADL SCORM"
    ET.SubElement(metadata, tag("schemaversion")).text = "1.2" if scorm12 else "2004 4th Edition"

    organizations = ET.SubElement(root, tag("organizations"), {"default": ORGANIZATION})
    organization = ET.SubElement(organizations, tag("organization"), {"identifier": ORGANIZATION})
    ET.SubElement(organization, tag("title")).text = plan.title
    for module in plan.modules:
        module_item = ET.SubElement(organization, tag("item"), {"identifier": module.item_id})
        ET.SubElement(module_item, tag("title")).text = module.title
        for sco in module.scos:
            item = ET.SubElement(module_item, tag("item"), {"identifier": sco.item_id, "identifierref": sco.resource_id})
            ET.SubElement(item, tag("title")).text = sco.title
            if scorm12 and sco.pass_mark is not None:
                ET.SubElement(item, tag("masteryscore", adlcp)).text = str(sco.pass_mark)
            if not scorm12:
                _sco_sequencing(item, sco)
        if not scorm12:
            _control_mode(module_item)
    if not scorm12:
        _control_mode(organization)

    resources = ET.SubElement(root, tag("resources"))
    scorm_type = f"{{{adlcp}}}{'scormtype' if scorm12 else 'scormType'}"
    for sco in plan.scos:
        resource = ET.SubElement(
            resources,
            tag("resource"),
            {"identifier": sco.resource_id, "type": "webcontent", scorm_type: "sco", "href": sco.href},
        )
        ET.SubElement(resource, tag("file"), {"href": sco.href})
        ET.SubElement(resource, tag("dependency"), {"identifierref": SHARED_RESOURCE})
    shared = ET.SubElement(resources, tag("resource"), {"identifier": SHARED_RESOURCE, "type": "webcontent",
                                                         scorm_type: "asset"})
    for path in plan.shared_files:
        ET.SubElement(shared, tag("file"), {"href": path})
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def _control_mode(parent: ET.Element) -> None:
    sequencing = ET.SubElement(parent, f"{{{IMSSS}}}sequencing")
    ET.SubElement(sequencing, f"{{{IMSSS}}}controlMode", {"choice": "true", "flow": "true"})


def _sco_sequencing(item: ET.Element, sco: Sco) -> None:
    """A lesson: counts for completion, not for satisfaction. A quiz: satisfied by its score."""
    sequencing = ET.SubElement(item, f"{{{IMSSS}}}sequencing")
    if sco.pass_mark is None:
        ET.SubElement(sequencing, f"{{{IMSSS}}}rollupRules", {"rollupObjectiveSatisfied": "false"})
        ET.SubElement(sequencing, f"{{{IMSSS}}}deliveryControls", {"completionSetByContent": "true"})
        return
    objectives = ET.SubElement(sequencing, f"{{{IMSSS}}}objectives")
    primary = ET.SubElement(
        objectives,
        f"{{{IMSSS}}}primaryObjective",
        {"objectiveID": f"PASS-{sco.key}", "satisfiedByMeasure": "true"},
    )
    ET.SubElement(primary, f"{{{IMSSS}}}minNormalizedMeasure").text = f"{sco.pass_mark / 100:.2f}"
    ET.SubElement(
        sequencing,
        f"{{{IMSSS}}}deliveryControls",
        {"completionSetByContent": "true", "objectiveSetByContent": "true"},
    )
