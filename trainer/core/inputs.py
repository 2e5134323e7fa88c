"""One input layer in front of every view, so that no request can reach the database or the parser
with a value it cannot hold and end in a 500:

- ``<int:...>`` in a URL is a database id (1 .. 2**31-1, what a PostgreSQL ``integer`` holds); any
  other number is "not found" (404) before the view runs. :func:`bounded_int` does the same for
  ids in query strings and form fields (``assignment``, ``other``, ``from``, ``team``, ``page``).
- Control characters (NUL and the rest, except tab and line breaks in form and JSON text) and lone
  surrogates are refused with a 400 and a message in the user's language, in the path, the query,
  the form (names and values) and JSON bodies, before the view runs.
- JSON bodies have a size limit and a nesting limit, checked without recursion (3,000 nested ``[``
  are a 400, not a RecursionError).
- Query values have a length limit (no page reads a long query value).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1  # the largest value of a PostgreSQL integer column
MAX_ID_DIGITS = len(str(MAX_ID))
JSON_MAX_BYTES = 64 * 1024
JSON_MAX_DEPTH = 32
QUERY_MAX_CHARS = 2000

# Refused everywhere: C0 controls but tab, LF, CR; DEL; C1 controls; lone UTF-16 surrogates.
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Refused in a path, a query and a field name: every control character (they are single-line).
_CONTROL_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_DIGITS = re.compile(f"[0-9]{{1,{MAX_ID_DIGITS}}}")


class IdConverter(IntegerConverter):
    """``<int:...>``: only 1 .. 2**31-1 in ASCII digits; anything else does not match (404)."""

    regex = f"[0-9]{{1,{MAX_ID_DIGITS}}}"

    def __init__(
        self, map: Map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID, signed: bool = False
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=False)


def bounded_int(raw: Any, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """A whole number from a query or form value within ``low .. high``; None for anything else."""
    text = str(raw).strip() if raw is not None else ""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


class InputRefused(Exception):
    """The request carries a value no view should see; ``message`` says which, for the user."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def _check_line(value: str) -> None:
    if _CONTROL_IN_LINE.search(value):
        raise InputRefused(_l("The address or a search value contains a control character (such as NUL). Remove it and try again."))


def _check_text(value: str) -> None:
    if _CONTROL_IN_TEXT.search(value):
        raise InputRefused(_l("A field contains a control character (such as NUL). Remove it and try again; nothing was saved."))


def json_depth(raw: bytes) -> int:
    """The deepest nesting of ``[`` and ``{`` in a JSON text, counted without parsing (no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _strings_in(value: Any) -> Iterator[str]:
    """Every key and string in a parsed JSON value (iteratively; the depth is already bounded)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_json() -> None:
    raw = request.get_data(cache=True)
    if len(raw) > JSON_MAX_BYTES:
        raise InputRefused(_l("The request is too large."))
    if json_depth(raw) > JSON_MAX_DEPTH:
        raise InputRefused(_l("The request is nested too deeply."))
    try:
        parsed = json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError):
        raise InputRefused(_l("The request is not valid JSON.")) from None
    for text in _strings_in(parsed):
        _check_text(text)


def _pairs(values: MultiDict[str, Any]) -> Iterable[tuple[str, Any]]:
    return values.items(multi=True)


def check_request() -> None:
    """Raise :class:`InputRefused` for the first value of the request no view should see."""
    _check_line(request.path)
    for key, value in _pairs(request.args):
        _check_line(key)
        _check_line(value)
        if len(value) > QUERY_MAX_CHARS:
            raise InputRefused(_l("A search value is too long."))
    if request.is_json:
        _check_json()
    elif request.method not in ("GET", "HEAD") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for key, value in _pairs(request.form):
            _check_line(key)
            _check_text(value)
        for key, upload in _pairs(request.files):
            _check_line(key)
            _check_line(getattr(upload, "filename", None) or "")


def _refusal(message: Any) -> ResponseReturnValue:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    if request.is_json or best == "application/json":
        response: Response = jsonify(error=str(message))
        return response, 400
    page = render_template("errors/error.html", code=400, title=str(_l("Not accepted")), message=str(message))
    return page, 400


def _guard() -> ResponseReturnValue | None:
    try:
        check_request()
    except InputRefused as refused:
        return _refusal(refused.message)
    return None


def install(app: Flask) -> None:
    """Bounded ids in every ``<int:...>`` (call before any blueprint is registered) and the guard,
    which runs before every other request hook (CSRF, login) and every view."""
    app.url_map.converters["int"] = IdConverter
    app.before_request_funcs.setdefault(None, []).insert(0, _guard)
