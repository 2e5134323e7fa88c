"""The SCORM runtime for the export's browser tests: a small HTTP server (on the port range given to
this work, 5400-5499) serving tests/scorm/harness.html, scorm-again's built file from
tests/scorm/node_modules (``npm ci`` from its lock on first use; skipped loudly without Node.js) and
an unzipped package, and recording every commit the runtime sends to ``/commit``."""

from __future__ import annotations

import fcntl
import json
import mimetypes
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

SCORM_DIR = Path(__file__).resolve().parent.parent / "scorm"
RUNTIME_JS = SCORM_DIR / "node_modules" / "scorm-again" / "dist" / "scorm-again.js"
PORTS = range(5400, 5500)


def ensure_runtime() -> Path:
    """scorm-again's browser build, after `npm ci` when missing; skips loudly when impossible."""
    npm = shutil.which("npm")
    if not RUNTIME_JS.exists():
        if not npm or not shutil.which("node"):
            pytest.skip("SCORM RUNTIME TESTS SKIPPED: Node.js/npm not installed (apt-get install nodejs npm)")
        with open(SCORM_DIR / "package.json", "rb") as anchor:
            fcntl.flock(anchor, fcntl.LOCK_EX)  # parallel workers: one npm ci
            if not RUNTIME_JS.exists():
                result = subprocess.run([str(npm), "ci", "--no-audit", "--no-fund", "--silent"], cwd=SCORM_DIR,
                                        capture_output=True, text=True, timeout=300)
                if result.returncode != 0 or not RUNTIME_JS.exists():
                    pytest.skip("SCORM RUNTIME TESTS SKIPPED: `npm ci` in tests/scorm failed (the npm registry "
                                f"must be reachable): {result.stderr[-500:]}")
    return RUNTIME_JS


@dataclass
class Runtime:
    url: str
    package: Path
    commits: list[dict[str, Any]] = field(default_factory=list)

    def sco_url(self, version: str, href: str) -> str:
        return f"{self.url}/harness.html?version={version}&sco={href}"


def _handler(runtime: Runtime) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            return

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/harness.html":
                target = SCORM_DIR / "harness.html"
            elif path == "/runtime/scorm-again.js":
                target = RUNTIME_JS
            elif path.startswith("/package/"):
                target = (runtime.package / path.removeprefix("/package/")).resolve()
                if runtime.package.resolve() not in target.parents:
                    self._send(404, b"not found", "text/plain")
                    return
            else:
                self._send(404, b"not found", "text/plain")
                return
            if not target.is_file():
                self._send(404, b"not found", "text/plain")
                return
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self._send(200, target.read_bytes(), kind + ("; charset=utf-8" if kind.startswith("text/") else ""))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if self.path.split("?", 1)[0] != "/commit":
                self._send(404, b"not found", "text/plain")
                return
            runtime.commits.append(json.loads(body or b"{}"))
            self._send(200, json.dumps({"result": True, "errorCode": 0}).encode(), "application/json")

    return Handler


@contextmanager
def running_runtime(package: Path) -> Iterator[Runtime]:
    ensure_runtime()
    runtime = Runtime("", package)
    server = None
    for port in PORTS:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), _handler(runtime))
            break
        except OSError:
            continue
    if server is None:
        pytest.fail("no free port in 5400-5499 for the SCORM runtime server")
    runtime.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield runtime
    finally:
        server.shutdown()
        server.server_close()
