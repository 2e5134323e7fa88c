"""Generated from the URL map: every route, as each role (anonymous, trainee, manager, admin), with
Hypothesis-drawn bad values in every path parameter, in the query arguments the views read and in
every form field the app's forms and templates name (huge and negative ints, NUL and other control
characters, 10 KB strings, deep JSON). No response may be a 500 (with TESTING on, a view's exception
reaches the test client, so it is caught here and counted as one).

Each client sends its session's real CSRF token (form field and header), so the bad values reach
the views, not only the CSRF check.
The quick version runs in ``make test-fast``; the thorough one is marked slow."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule
from wtforms.fields.core import UnboundField

import trainer
from tests.conftest import PROJECT_ROOT, csrf_token

# The query arguments the views read (grep request.args in trainer/).
QUERY_ARGS = ("q", "role", "page", "team", "quarter", "from", "preset", "sort", "dir", "module", "flagged",
              "assignment", "stay", "code", "next", "lang")
# Routes left alone: signing out would end the role's session; static files read no input.
SKIPPED = {"auth.logout", "static"}
ROLES = ("anonymous", "trainee", "manager", "admin")
_PARAM = re.compile(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>")

TOTALS: dict[str, int] = {"requests": 0}


def form_field_names() -> list[str]:
    """Every field name of the app's WTForms classes and every ``name="..."`` in its templates."""
    names: set[str] = set()
    for module_info in pkgutil.walk_packages(trainer.__path__, "trainer."):
        if not module_info.name.endswith(".forms"):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, FlaskForm):
                names.update(k for k in dir(value) if isinstance(getattr(value, k, None), UnboundField))
    for template in [*Path(PROJECT_ROOT, "templates").rglob("*.html"), *Path(PROJECT_ROOT, "trainer").rglob("*.html")]:
        names.update(re.findall(r'name="([A-Za-z_][\w-]*)"', template.read_text(encoding="utf-8")))
    names.discard("csrf_token")
    return sorted(names)


FORM_FIELDS = form_field_names()

BAD_INTS = st.one_of(  # as text: the longest one is past Python's 4,300-digit int() limit
    st.sampled_from(["0", "-1", str(2**31), str(2**31 + 1), str(2**32), str(2**63), str(2**64), "9" * 5000]),
    st.integers(min_value=2**31).map(str),
    st.integers(max_value=0).map(str),
)
CONTROL = st.characters(min_codepoint=0, max_codepoint=0x9F).filter(lambda c: not (0x20 <= ord(c) < 0x7F))
BAD_TEXT = st.one_of(
    st.just("\x00"),
    st.text(CONTROL, min_size=1, max_size=4).map(lambda s: "a" + s + "b"),
    st.just("x" * 10_240),
    st.just("٣٤²"),  # digits Python calls digits but a database does not
    st.just("0000-Q1"), st.just("9999-Q4"), st.just("../../etc/passwd"),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
)
BAD_VALUE = st.one_of(BAD_INTS, BAD_TEXT)
DEEP_JSON = st.sampled_from(["[" * 3000, "[" * 3000 + "]" * 3000, '{"a":' * 3000 + "1" + "}" * 3000])
JSON_BODY = st.one_of(
    DEEP_JSON,
    st.dictionaries(st.sampled_from(["question", "answer", "value", "id", "\x00"]), BAD_VALUE, max_size=4).map(json.dumps),
    st.just("not json"),
)


def path_for(rule: Rule, values: dict[str, str]) -> str:
    """The rule's URL with each parameter replaced by ``values`` (percent-encoded)."""

    def substitute(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        return quote(values[name], safe="/" if converter == "path" else "")

    return _PARAM.sub(substitute, rule.rule)


def _parameters(rule: Rule) -> list[tuple[str, str]]:
    return [(m.group(1) or "default", m.group(2)) for m in _PARAM.finditer(rule.rule)]


def _request(client: FlaskClient, method: str, url: str, **kwargs: Any) -> tuple[int, str]:
    TOTALS["requests"] += 1
    try:
        return client.open(url, method=method, **kwargs).status_code, ""
    except Exception as error:  # noqa: BLE001 - a view that raises is the 500 this test looks for
        return 500, f"{type(error).__name__}: {str(error)[:200]}"


def fuzz_rule(client: FlaskClient, token: str, rule: Rule, data: st.DataObject) -> list[str]:
    """One request per method of ``rule`` with freshly drawn bad values; the failures found."""
    values = {name: data.draw(BAD_INTS if kind == "int" else BAD_VALUE, label=name) for kind, name in _parameters(rule)}
    args = data.draw(st.lists(st.sampled_from(QUERY_ARGS), max_size=4, unique=True), label="query args")
    query = {arg: data.draw(BAD_VALUE, label=f"?{arg}") for arg in args}
    target = path_for(rule, values) + ("?" + urlencode(query) if query else "")
    attempts: list[tuple[str, dict[str, Any]]] = []
    if "GET" in (rule.methods or ()):
        attempts.append(("GET", {}))
    if "POST" in (rule.methods or ()):
        # Every field gets one drawn value, and a few fields a value of their own.
        form = dict.fromkeys(FORM_FIELDS, data.draw(BAD_VALUE, label="every form field"))
        for name in data.draw(st.lists(st.sampled_from(FORM_FIELDS), max_size=6, unique=True), label="fields"):
            form[name] = data.draw(BAD_VALUE, label=f"form {name}")
        attempts.append(("POST", {"data": {**form, "csrf_token": token}}))
        attempts.append(("POST", {"data": data.draw(JSON_BODY, label="json"), "content_type": "application/json",
                                  "headers": {"X-CSRFToken": token}}))
    failures = []
    for method, kwargs in attempts:
        status, error = _request(client, method, target, **kwargs)
        if status >= 500:
            failures.append(f"{method} {target[:200]} -> {status} {error}")
    return failures


@pytest.fixture
def role_clients(app: Flask, make_org: Any, as_user: Any) -> dict[str, tuple[FlaskClient, str]]:
    """A signed-in client per role (the manager manages a team with the trainee in it) and its CSRF token."""
    make_org({"east": ""}, {"manager": "manager of east: Mia <mia@example.com>",
                            "trainee": "trainee in east: Tom <tom@example.com>",
                            "admin": "admin <root@example.com>"})
    clients = {role: as_user(email).client for role, email in
               (("trainee", "tom@example.com"), ("manager", "mia@example.com"), ("admin", "root@example.com"))}
    anonymous = app.test_client()
    anonymous.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    clients["anonymous"] = anonymous
    return {role: (client, csrf_token(client, "/login" if role == "anonymous" else "/"))
            for role, client in clients.items()}


def _run(app: Flask, role_clients: dict[str, tuple[FlaskClient, str]], role: str, examples: int) -> int:
    """Every rule of the URL map, ``examples`` drawings each (a Hypothesis run per rule)."""
    found: list[str] = []
    client, token = role_clients[role]
    before = TOTALS["requests"]

    def fuzz_with(rule: Rule) -> Any:
        @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(data=st.data())
        def fuzz(data: st.DataObject) -> None:
            found.extend(fuzz_rule(client, token, rule, data))

        return fuzz

    for rule in app.url_map.iter_rules():
        if rule.endpoint not in SKIPPED:
            fuzz_with(rule)()

    made = TOTALS["requests"] - before
    print(f"fuzz {role}: {made} requests, {len(found)} failures")
    assert not found, "\n".join(sorted(set(found))[:40])
    return made


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_bad_input_with_a_500(app: Flask, role_clients: dict[str, tuple[FlaskClient, str]], role: str,
                                                record_property: Any) -> None:
    record_property("requests", _run(app, role_clients, role, examples=3))


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_bad_input_with_a_500_thoroughly(app: Flask, role_clients: dict[str, tuple[FlaskClient, str]],
                                                          role: str, record_property: Any) -> None:
    record_property("requests", _run(app, role_clients, role, examples=15))


def test_the_generator_covers_the_url_map_and_the_forms(app: Flask) -> None:
    """The fuzz test sees every route and the fields the views read, so a new one is fuzzed too."""
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED]
    assert len(rules) > 70
    assert {"email", "password", "code", "name", "assignment", "other", "q"} <= set(FORM_FIELDS)
    rule = next(r for r in rules if r.endpoint == "sim.compare")
    assert path_for(rule, {"a": "1", "b": "\x00/x"}) == "/sim/compare/1/%00%2Fx"
