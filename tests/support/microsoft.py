"""Microsoft's identity platform and Graph, answered at the HTTP boundary: a transport adapter
mounted on the requests session msal and our Graph client use. Payloads follow Microsoft's
documented shapes (OpenID configuration, the v2.0 token endpoint with id_token and
client_info, calendarView delta pages with @odata.nextLink/@odata.deltaLink and @removed)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from emulators import stack
from tests.conftest import clear_caches
from tests.support.serving import serve_function

LOGIN = "https://login.microsoftonline.com"
GRAPH = "https://graph.microsoft.com"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OID = "00000000-0000-0000-66f3-3332eca7ea81"
CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def respond(request, status: int, body: dict | None = None, headers: dict | None = None):
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode() if body is not None else b""
    response.headers = CaseInsensitiveDict({"Content-Type": "application/json", **(headers or {})})
    response.url = request.url
    response.request = request
    response.encoding = "utf-8"
    response.reason = "OK" if status < 400 else "Error"
    return response


class MicrosoftDouble(BaseAdapter):
    def __init__(self, client_id: str, username: str = "sam@contoso.com") -> None:
        super().__init__()
        self.client_id = client_id
        self.username = username
        self.calls: list[tuple[str, str, dict]] = []  # (method, url, form or json)
        self.codes: dict[str, tuple[str, str]] = {}  # code -> (nonce, code challenge)
        self.refresh_tokens: list[str] = []
        self.revoked = False
        self.access_token_seconds = 3599
        self.graph: Callable | None = None  # (request, path, query) -> response

    # -- the browser's side: Microsoft signs the person in and redirects back with a code --
    def sign_in(self, auth_uri: str) -> dict[str, str]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(auth_uri).query).items()}
        code = "M.C507_BAY." + secrets.token_urlsafe(16)
        self.codes[code] = (query["nonce"], query["code_challenge"])
        return {"code": code, "state": query["state"], "session_state": secrets.token_hex(8)}

    # -- HTTP --
    def send(self, request, **kwargs):
        body = request.body or b""
        if isinstance(body, bytes):
            body = body.decode()
        content = request.headers.get("Content-Type", "")
        payload = (
            {k: v[0] for k, v in parse_qs(body).items()}
            if "form" in content
            else (json.loads(body) if body else {})
        )
        self.calls.append((request.method, request.url, payload))
        parts = urlsplit(request.url)
        if request.url.startswith(LOGIN):
            if parts.path.endswith("/v2.0/.well-known/openid-configuration"):
                return respond(request, 200, self.openid_configuration())
            if parts.path == "/common/discovery/instance":
                return respond(request, 200, self.instance_discovery())
            if parts.path.endswith("/oauth2/v2.0/token"):
                return self.token(request, payload)
        if request.url.startswith(GRAPH) and self.graph is not None:
            return self.graph(request, parts.path, parse_qs(parts.query), payload)
        return respond(request, 404, {"error": {"code": "NotFound", "message": request.url}})

    def close(self) -> None:
        pass

    def openid_configuration(self) -> dict:
        base = f"{LOGIN}/common"
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],  # fmt: skip
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{LOGIN}/{{tenantid}}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "nonce",
                "preferred_username",
                "name",
                "tid",
                "ver",
                "email",
            ],  # fmt: skip
            "kerberos_endpoint": f"{base}/kerberos",
            "tenant_region_scope": None,
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }

    def instance_discovery(self) -> dict:
        return {
            "tenant_discovery_endpoint": f"{LOGIN}/common/v2.0/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [
                {"preferred_network": "login.microsoftonline.com",
                 "preferred_cache": "login.windows.net",
                 "aliases": ["login.microsoftonline.com", "login.windows.net",
                             "login.microsoft.com", "sts.windows.net"]},
                {"preferred_network": "login.partner.microsoftonline.cn",
                 "preferred_cache": "login.partner.microsoftonline.cn",
                 "aliases": ["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"]},
            ],
        }  # fmt: skip

    def _id_token(self, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "ver": "2.0",
            "iss": f"{LOGIN}/{TENANT}/v2.0",
            "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
            "aud": self.client_id,
            "exp": now + 3600,
            "iat": now,
            "nbf": now,
            "name": "Sam Doe",
            "preferred_username": self.username,
            "oid": OID,
            "tid": TENANT,
            "aio": "Df2UVXL1ix!lMCWMSOJBcFatzcGfvFGhjKv8q5g0x732dR5MB5BisvGQO7YWByjd8iQDLq",
        }
        if nonce:
            claims["nonce"] = nonce
        header = {"typ": "JWT", "alg": "RS256", "kid": "nOo3ZDrODXEK1jKWhXslHR_KXEg"}
        return ".".join([b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode()),
                         b64url(b"signature-not-checked-by-the-client")])  # fmt: skip

    def _tokens(self, nonce: str | None) -> dict:
        refresh = "0.AXEA" + secrets.token_urlsafe(24)
        self.refresh_tokens.append(refresh)
        return {
            "token_type": "Bearer",
            "scope": "Calendars.ReadWrite Mail.Read User.Read openid profile email",
            "expires_in": self.access_token_seconds,
            "ext_expires_in": self.access_token_seconds,
            "access_token": "EwBwA8l6BAAU" + secrets.token_urlsafe(24),
            "refresh_token": refresh,
            "id_token": self._id_token(nonce),
            "client_info": b64url(json.dumps({"uid": OID, "utid": TENANT}).encode()),
        }

    def token(self, request, form: dict):
        if form.get("client_id") != self.client_id:
            return respond(request, 400, {"error": "unauthorized_client"})
        grant = form.get("grant_type")
        if grant == "authorization_code":
            issued = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            if issued is None:
                return respond(
                    request, 400, {"error": "invalid_grant", "error_description": "AADSTS70008"}
                )
            nonce, challenge = issued
            if b64url(hashlib.sha256(verifier.encode()).digest()) != challenge:
                described = (
                    "AADSTS501481: The Code_Verifier does not match the code_challenge "
                    "supplied in the authorization request."
                )
                return respond(
                    request, 400, {"error": "invalid_grant", "error_description": described}
                )
            return respond(request, 200, self._tokens(nonce))
        if grant == "refresh_token":
            if self.revoked or form.get("refresh_token") not in self.refresh_tokens:
                return respond(request, 400, {
                    "error": "invalid_grant",
                    "error_description": "AADSTS50173: The provided grant has expired due to it "
                    "being revoked, a fresh auth token is needed.",
                    "error_codes": [50173], "suberror": "bad_token",
                })  # fmt: skip
            return respond(request, 200, self._tokens(None))
        return respond(request, 400, {"error": "unsupported_grant_type"})

    def grants(self, kind: str) -> int:
        return sum(
            1 for m, u, p in self.calls if u.endswith("/token") and p.get("grant_type") == kind
        )


# -- fixtures and helpers for tests that link Outlook ------------------------------------


@pytest.fixture(name="microsoft")
def microsoft_fixture(local_env):
    from nudge.microsoft.http import default_session

    os.environ["NUDGE_MICROSOFT_CLIENT_ID"] = CLIENT_ID
    os.environ["NUDGE_MICROSOFT_CLIENT_SECRET"] = "local-test-client-secret"
    clear_caches()
    default_session.cache_clear()
    double = MicrosoftDouble(CLIENT_ID)
    for prefix in (LOGIN, GRAPH):
        default_session().mount(prefix, double)
    yield double
    default_session.cache_clear()


@pytest.fixture(name="oauth_url")
def oauth_url_fixture(microsoft, task_queue):
    with serve_function("oauth", stack.FUNCTIONS_DIR / "oauth" / "main.py") as url:
        clear_caches()
        yield url


def connect(store, settings, user) -> str:
    """ "connect outlook": the link the tool texts."""
    from nudge.agent.tools import ToolContext, registry
    from nudge.llm.types import FunctionCall
    from nudge.models import utcnow

    ctx = ToolContext(store=store, user=user, settings=settings, now=utcnow(), turn_id="t")
    result = registry.execute(FunctionCall(name="connect_outlook"), ctx).response
    assert result["ok"] is True
    return result["url"]


def open_link(link: str) -> requests.Response:
    """What the person's browser does: open the texted link, tap "Continue to Microsoft"."""
    shown = requests.get(link, allow_redirects=False, timeout=10)
    assert shown.status_code == 200 and "Continue to Microsoft" in shown.text, shown.text
    token = parse_qs(urlsplit(link).query)["t"][0]
    start = link.split("?", 1)[0]
    return requests.post(start, data={"t": token}, allow_redirects=False, timeout=10)


def link_outlook(store, user, microsoft) -> None:
    """The whole browser trip: the texted link, Microsoft's sign-in, the callback."""
    from nudge.settings import get_settings

    link = connect(store, get_settings(), user)
    started = open_link(link)
    assert started.status_code == 302
    callback = microsoft.sign_in(started.headers["Location"])
    finished = requests.post(f"{link.split('/start')[0]}/callback", data=callback, timeout=10)
    assert finished.status_code == 200, finished.text
    assert "connected to Outlook (sam@contoso.com)" in finished.text
