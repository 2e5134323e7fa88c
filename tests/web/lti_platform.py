"""A small LTI 1.3 platform for the tests, served over real HTTP: its own RSA key and JWKS, the OIDC
auth endpoint that answers a login initiation with a signed id_token in an auto-post form, the token
endpoint (client credentials with the tool's signed assertion, checked against the tool's JWKS URL),
line items with a score service, a memberships service, and the deep-linking return URL (the tool's
answer checked against its JWKS too). Nothing here is shared with the app's code: it uses joserfc
and werkzeug directly, as a separate implementation would."""

from __future__ import annotations

import base64
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
PORTS = range(5300, 5400)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 5300-5399")


_KEYS: dict[str, RSAKey] = {}


def platform_key(kid: str = "platform-key-1") -> RSAKey:
    """The platform's RSA key, made once per test session (generating one takes a while)."""
    if kid not in _KEYS:
        _KEYS[kid] = RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"}, private=True)
    return _KEYS[kid]


@dataclass
class Member:
    sub: str
    name: str
    email: str
    roles: list[str]
    status: str = "Active"


@dataclass
class LaunchPlan:
    """What the platform will put in the id_token for one login hint."""

    member: Member
    message_type: str = "LtiResourceLinkRequest"
    resource_link_id: str = "rl-1"
    custom: dict[str, str] = field(default_factory=dict)
    context_id: str = "course-101"
    context_title: str = "Receivables 101"
    lineitem: str | None = None  # a line item id of this platform
    deployment_id: str = "dep-1"
    tamper: str = ""  # signature | aud | expired | deployment | issuer | version
    locale: str = "en-US"


class Platform:
    def __init__(self, client_id: str = "tool-client-1") -> None:
        self.key = platform_key()
        self.client_id = client_id
        self.url = ""
        self.tool_jwks_url = ""
        self.plans: dict[str, LaunchPlan] = {}
        self.members: dict[str, list[Member]] = {}
        self.lineitems: dict[str, dict[str, Any]] = {}
        self.scores: dict[str, list[dict[str, Any]]] = {}
        self.tokens: dict[str, set[str]] = {}
        self.deep_link_answers: list[dict[str, Any]] = []
        self.token_requests = 0
        self.keyset_requests = 0
        self.fail_scores = 0  # answer this many score posts with 503 first

    # --- what a test sets up ------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return self.url

    def plan(self, plan: LaunchPlan) -> dict[str, str]:
        """The login initiation parameters (as the platform would send them) for this launch."""
        hint = secrets.token_urlsafe(8)
        self.plans[hint] = plan
        return {"iss": self.issuer, "login_hint": plan.member.sub, "lti_message_hint": hint,
                "target_link_uri": "http://localhost/lti/launch", "client_id": self.client_id,
                "lti_deployment_id": plan.deployment_id}

    def add_lineitem(self, label: str) -> str:
        item_id = str(len(self.lineitems) + 1)
        self.lineitems[item_id] = {"id": f"{self.url}/lineitems/{item_id}", "label": label, "scoreMaximum": 100}
        self.scores[item_id] = []
        return item_id

    # --- signing -------------------------------------------------------------------------------

    def id_token(self, plan: LaunchPlan, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": self.client_id, "sub": plan.member.sub, "iat": now, "exp": now + 300,
            "nonce": nonce, "name": plan.member.name, "email": plan.member.email, "locale": plan.locale,
            CLAIM + "message_type": plan.message_type, CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": plan.deployment_id, CLAIM + "roles": plan.member.roles,
            CLAIM + "target_link_uri": "http://localhost/lti/launch",
            CLAIM + "context": {"id": plan.context_id, "title": plan.context_title},
            NRPS: {"context_memberships_url": f"{self.url}/memberships/{plan.context_id}",
                   "service_versions": ["2.0"]},
        }
        if plan.custom:
            claims[CLAIM + "custom"] = plan.custom
        if plan.message_type == "LtiResourceLinkRequest":
            claims[CLAIM + "resource_link"] = {"id": plan.resource_link_id, "title": "Linked activity"}
            endpoint: dict[str, Any] = {"scope": [LINEITEM_SCOPE, SCORE_SCOPE], "lineitems": f"{self.url}/lineitems"}
            if plan.lineitem:
                endpoint["lineitem"] = self.lineitems[plan.lineitem]["id"]
            claims[AGS] = endpoint
        else:
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": f"{self.url}/deep_link_return", "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"], "accept_multiple": True,
                "data": "opaque-platform-data",
            }
        key = self.key
        if plan.tamper == "aud":
            claims["aud"] = "someone-else"
        elif plan.tamper == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        elif plan.tamper == "deployment":
            claims[CLAIM + "deployment_id"] = "dep-unknown"
        elif plan.tamper == "version":
            claims[CLAIM + "version"] = "1.1"
        elif plan.tamper == "issuer":
            claims["iss"] = "https://unknown.example.org"
        elif plan.tamper == "wrong-key":
            key = RSAKey.import_key(platform_key("other").as_dict(private=True), parameters={"kid": "platform-key-1"})
        token = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)
        if plan.tamper == "signature":  # change the payload, keep the signature
            header, payload, signature = token.split(".")
            body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            body["sub"] = "someone-else"
            forged = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
            token = ".".join([header, forged, signature])
        return token

    def tool_keys(self) -> KeySet:
        self.keyset_requests += 1
        response = requests.get(self.tool_jwks_url, timeout=5)
        response.raise_for_status()
        return KeySet.import_key_set(response.json())

    # --- the HTTP endpoints ----------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        path = request.path
        try:
            if path == "/jwks":
                response = self._json({"keys": [self.key.as_dict(private=False)]})
            elif path == "/auth":
                response = self._auth(request)
            elif path == "/token":
                response = self._token(request)
            elif path.startswith("/lineitems/") and path.endswith("/scores"):
                response = self._score(request, path.split("/")[2])
            elif path.startswith("/memberships/"):
                response = self._memberships(request, path.split("/")[2])
            elif path == "/course":
                response = self._course(request)
            elif path == "/deep_link_return":
                response = self._deep_link_return(request)
            else:
                response = Response("not found", status=404)
        except Exception as error:  # noqa: BLE001 - a test platform answers 500 like any server
            response = Response(f"platform error: {error!r}", status=500)
        return response(environ, start_response)

    @staticmethod
    def _json(body: Any, status: int = 200, content_type: str = "application/json") -> Response:
        return Response(json.dumps(body), status=status, content_type=content_type)

    def _auth(self, request: Request) -> Response:
        args = request.args
        plan = self.plans.get(args.get("lti_message_hint", ""))
        checks = (args.get("scope") == "openid", args.get("response_type") == "id_token",
                  args.get("response_mode") == "form_post", args.get("client_id") == self.client_id,
                  args.get("prompt") == "none", plan is not None and args.get("login_hint") == plan.member.sub)
        if not all(checks):
            return Response("bad authentication request", status=400)
        assert plan is not None
        token = self.id_token(plan, args["nonce"])
        html = (f'<form method="post" action="{args["redirect_uri"]}">'
                f'<input type="hidden" name="id_token" value="{token}">'
                f'<input type="hidden" name="state" value="{args["state"]}"></form>'
                '<script>document.forms[0].submit()</script>')
        return Response(html, content_type="text/html")

    def _token(self, request: Request) -> Response:
        self.token_requests += 1
        form = request.form
        if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != \
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return self._json({"error": "unsupported_grant_type"}, 400)
        try:
            claims = jwt.decode(form.get("client_assertion", ""), self.tool_keys(), algorithms=["RS256"]).claims
        except Exception:  # noqa: BLE001
            return self._json({"error": "invalid_client"}, 401)
        now = time.time()
        if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id or \
                claims.get("aud") != f"{self.url}/token" or not claims.get("jti") or claims.get("exp", 0) < now:
            return self._json({"error": "invalid_client"}, 401)
        scopes = set((form.get("scope") or "").split())
        token = secrets.token_urlsafe(16)
        self.tokens[token] = scopes
        return self._json({"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                           "scope": " ".join(sorted(scopes))})

    def _bearer(self, request: Request, scope: str) -> bool:
        header = request.headers.get("Authorization", "")
        return header.startswith("Bearer ") and scope in self.tokens.get(header[7:], set())

    def _score(self, request: Request, item_id: str) -> Response:
        if request.method != "POST" or item_id not in self.lineitems:
            return Response("no such line item", status=404)
        if not self._bearer(request, SCORE_SCOPE):
            return Response("unauthorized", status=401)
        if request.content_type != "application/vnd.ims.lis.v1.score+json":
            return Response("wrong media type", status=415)
        if self.fail_scores > 0:
            self.fail_scores -= 1
            return Response("try later", status=503)
        self.scores[item_id].append(json.loads(request.get_data(as_text=True)))
        return Response("", status=204)

    def _memberships(self, request: Request, context_id: str) -> Response:
        if not self._bearer(request, NRPS_SCOPE):
            return Response("unauthorized", status=401)
        members = self.members.get(context_id, [])
        page = int(request.args.get("page", "1"))
        size = 2
        chunk = members[(page - 1) * size: page * size]
        body = {"id": request.url, "context": {"id": context_id},
                "members": [{"user_id": m.sub, "name": m.name, "email": m.email, "roles": m.roles, "status": m.status}
                            for m in chunk]}
        response = self._json(body, content_type="application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
        if page * size < len(members):
            response.headers["Link"] = f'<{self.url}/memberships/{context_id}?page={page + 1}>; rel="next"'
        return response

    def _course(self, request: Request) -> Response:
        """A course page that shows the tool in an iframe, as Moodle's "embed" container does."""
        plan = self.plans[request.args["hint"]]
        params = {"iss": self.issuer, "login_hint": plan.member.sub, "lti_message_hint": request.args["hint"],
                  "client_id": self.client_id, "lti_deployment_id": plan.deployment_id}
        src = f"{request.args['tool']}/lti/login?{urlencode(params)}"
        html = ("<!doctype html><meta charset=utf-8><meta name=viewport content=\"width=device-width\"><title>Test LMS course</title>"
                "<body style='margin:0;font-family:sans-serif'><header style='background:#f98012;color:#fff;padding:8px'>"
                f"Test LMS · {plan.context_title}</header>"
                f'<iframe id="tool" src="{src}" style="width:100%;height:2600px;border:0"></iframe></body>')
        return Response(html, content_type="text/html")

    def _deep_link_return(self, request: Request) -> Response:
        claims = jwt.decode(request.form.get("JWT", ""), self.tool_keys(), algorithms=["RS256"]).claims
        now = time.time()
        if claims.get("iss") != self.client_id or self.issuer not in claims.get("aud", []) or claims["exp"] < now:
            return Response("refused", status=400)
        if claims.get(CLAIM + "message_type") != "LtiDeepLinkingResponse":
            return Response("refused", status=400)
        self.deep_link_answers.append(dict(claims))
        return Response("thanks", status=200)


def auth_form(html: str) -> tuple[str, dict[str, str]]:
    """(action, fields) of the platform's auto-post form."""
    action = re.search(r'action="([^"]+)"', html)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', html))
    assert action is not None, html
    return action.group(1), fields


@contextmanager
def serving(wsgi_app: Any) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 in a thread; yields its base URL."""
    listener = _bound_socket()  # bound here and handed over: parallel test workers may race for a port
    server = make_server("127.0.0.1", listener.getsockname()[1], wsgi_app, threaded=True, fd=listener.fileno())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        listener.close()


def _bound_socket() -> socket.socket:
    for port in PORTS:
        candidate = socket.socket()
        try:
            candidate.bind(("127.0.0.1", port))
        except OSError:
            candidate.close()
            continue
        candidate.listen(64)
        return candidate
    raise RuntimeError("no free port in 5300-5399")


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


__all__ = ["Platform", "LaunchPlan", "Member", "serving", "auth_form", "query_of", "urlencode",
           "LEARNER", "INSTRUCTOR", "ADMIN"]
