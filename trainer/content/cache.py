"""A disk cache of the validated content catalogue, so a second start (every gunicorn worker, every
`flask` command) skips parsing and validating the same files again.

The cache is keyed by the SHA-256 of every content file (path and bytes), of every module of the
``trainer`` package (the loaders and the classes that are pickled) and of the versions of Python and
of the libraries that shape the result; any change gives a new key and the content is loaded and
validated again. It is written only after a clean validation, and signed with the app's secret key
(HMAC-SHA-256), so a file that was tampered with or written by someone else is never unpickled.
A missing, stale, corrupt or unreadable cache is ignored. Pure Python: no Flask, no database.
"""

from __future__ import annotations

import copyreg
import hashlib
import hmac
import io
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import markdown
import nh3
import yaml

CONTENT_FOLDERS = ("courses", "quizzes", "scenarios", "writing")
CACHE_FILE = "content-cache.pickle"
MAGIC = b"trainer-content-cache 1\n"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
DIGEST_SIZE = 32


def _mapping_proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    """Rebuilds a read-only mapping on unpickling (pickle cannot store ``mappingproxy`` itself)."""
    return MappingProxyType(items)


def _reduce_mapping_proxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _mapping_proxy, (dict(proxy),)


def _hash_files(digest: Any, base: Path, files: Iterable[Path]) -> None:
    for path in sorted(files):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(base).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)


def code_version() -> str:
    """Hash of the trainer package's modules and of the versions that shape loaded content."""
    digest = hashlib.sha256()
    versions = (sys.version, yaml.__version__, markdown.__version__, getattr(nh3, "__version__", ""))
    digest.update(repr(versions).encode())
    _hash_files(digest, PACKAGE_DIR, PACKAGE_DIR.rglob("*.py"))
    return digest.hexdigest()


def content_key(root: Path) -> str:
    """The cache key: every content file below ``root`` (added, removed or changed), and the code."""
    digest = hashlib.sha256()
    digest.update(f"{root.resolve()}\0{code_version()}\0".encode())
    for folder in CONTENT_FOLDERS:
        base = root / folder
        digest.update(f"{folder}\0".encode())
        _hash_files(digest, root, (path for path in base.rglob("*") if path.is_file()))
    return digest.hexdigest()


def _signature(secret: bytes, key: str, payload: bytes) -> bytes:
    return hmac.new(secret, key.encode() + b"\0" + payload, hashlib.sha256).digest()


def read_cache(folder: Path, key: str, secret: bytes) -> Any | None:
    """The value stored under ``key``, or None when absent, stale, unsigned or unreadable."""
    try:
        blob = (folder / CACHE_FILE).read_bytes()
    except OSError:
        return None
    header = len(MAGIC) + len(key) + DIGEST_SIZE
    if not blob.startswith(MAGIC) or blob[len(MAGIC) : len(MAGIC) + len(key)] != key.encode():
        return None
    signature, payload = blob[header - DIGEST_SIZE : header], blob[header:]
    if not hmac.compare_digest(signature, _signature(secret, key, payload)):
        return None
    try:
        return pickle.loads(payload)  # noqa: S301 - signed with the app's secret key just above
    except Exception:  # noqa: BLE001 - a cache that does not load is ignored, whatever the reason
        return None


def write_cache(folder: Path, key: str, secret: bytes, value: Any) -> bool:
    """Store ``value`` under ``key`` atomically (workers starting together never see half a file).
    Returns False when the folder is not writable: the cache is an optimisation, never a failure."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[MappingProxyType] = _reduce_mapping_proxy
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError):  # tests/unit/content proves it pickles
        return False
    payload = buffer.getvalue()
    blob = MAGIC + key.encode() + _signature(secret, key, payload) + payload
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".content-cache-")
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(blob)
        os.replace(temporary, folder / CACHE_FILE)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        return False
    return True
