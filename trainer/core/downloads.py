"""The one download helper: a file the browser saves, with a name that survives Chinese characters."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response


def attachment(data: bytes | str, filename: str, mimetype: str) -> Response:
    """``data`` as a download named ``filename``; text is sent as UTF-8. Never cached: these are
    personal records."""
    body = data.encode("utf-8") if isinstance(data, str) else data
    response = Response(body, mimetype=mimetype)
    if mimetype.startswith("text/") and "charset" not in mimetype:
        response.headers["Content-Type"] = f"{mimetype}; charset=utf-8"
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response
