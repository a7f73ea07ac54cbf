"""The embedded OpenID Connect provider: `make dev` and the tests log in against it.

It is the `oidc-provider` npm package (`identity-provider/` at the repository root) run by
Node, started like the other embedded parts of `samspill.infra`: on a port of its own, with its
signing keys in a JWKS file, and ready once its discovery document answers. Restarting it with
another keys file is how signing keys are rotated (the first key signs, the others stay
published). It is for development and tests only; production trusts ID-porten and Entra ID.

The rest of the module is a small OpenID Connect client for scripts and tests: the
authorization-code flow with PKCE through the provider's development login and consent forms
(`log_in`, or `authorize` and `redeem` step by step), and the client-credentials grant.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from samspill.infra import InfrastructureError, free_port

PORTAL_CLIENT = "samspill-portal"
DOCS_CLIENT = "samspill-docs"
INTEGRATION_CLIENT = "samspill-integration"
DEFAULT_INTEGRATION_SECRET = "samspill-integration-dev-secret"
DEFAULT_AUDIENCE = "samspill"
ADMIN_SCOPE = "samspill.admin"
ADMIN_GROUP = "samspill-admins"
DEFAULT_SCOPE = "openid profile email"
DEMO_PEOPLE = (
    "demo-club-leader",
    "demo-club-member",
    "demo-facility-manager",
    "demo-centre-worker",
    "demo-family",
    "demo-admin",
)

START_TIMEOUT_S = 30.0
NPM_TIMEOUT_S = 300.0
HTTP_TIMEOUT_S = 10.0
MAX_LOGIN_STEPS = 12


class OidcRefused(RuntimeError):
    """The provider refused a request with an OAuth error (`invalid_grant`, `invalid_scope`…)."""

    def __init__(self, error: str, description: str | None, status: int | None = None) -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description
        self.status = status


# --- the provider process ------------------------------------------------------------------


def provider_dir() -> Path:
    """`identity-provider/` at the root of the repository this kernel is checked out in."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "identity-provider"
        if (candidate / "server.mjs").is_file():
            return candidate
    raise InfrastructureError(
        "the identity provider's folder (identity-provider/ with server.mjs) was not found "
        "above the samspill package; run from a checkout of the repository"
    )


def ensure_installed(directory: Path) -> None:
    """`npm ci` when the provider's node_modules is missing (as `make install` does)."""
    if (directory / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise InfrastructureError(
            "the identity provider needs Node.js and npm (e.g. `apt-get install nodejs npm`), "
            "then `make install`"
        )
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--silent"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=NPM_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        raise InfrastructureError(
            f"`npm ci` in {directory} failed: {(result.stderr or result.stdout).strip()[-2000:]}"
        )


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise InfrastructureError(
            "the identity provider needs Node.js (e.g. `apt-get install nodejs npm`)"
        )
    return node


@dataclass
class IdentityProvider:
    """A running provider. `restart(keys_file=…)` keeps the port, so the issuer stays the same."""

    port: int
    keys_file: Path
    log_path: Path
    env: Mapping[str, str] = field(repr=False)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    cleanup: list[Path] = field(default_factory=list, repr=False)
    source: str = "embedded oidc-provider"

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.issuer

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.running:
            raise RuntimeError("the identity provider is already running")
        directory = provider_dir()
        ensure_installed(directory)
        # Only what this object says configures it, not IDP_* variables of the environment.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("IDP_")}
        env = inherited | dict(self.env)
        env |= {"IDP_PORT": str(self.port), "IDP_JWKS_FILE": str(self.keys_file)}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [_node(), "server.mjs"],
                cwd=directory,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready(START_TIMEOUT_S)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2) as client:
            while True:
                if not self.running:
                    self._give_up(f"exited with {self.process and self.process.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(discovery_url(self.issuer)).status_code == 200:
                        return
                if time.monotonic() >= deadline:
                    self._give_up(f"did not answer at {self.issuer} within {timeout:.0f} s")
                time.sleep(0.05)

    def _give_up(self, reason: str) -> NoReturn:
        self.stop_process()
        tail = self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""
        raise InfrastructureError(f"the identity provider {reason}; its log says:\n{tail}")

    def stop_process(self, timeout: float = 10) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)

    def restart(self, keys_file: Path | None = None) -> None:
        """Stop and start again, with `keys_file` from now on when given (key rotation).

        The provider keeps logins, grants and codes in memory: they do not survive this.
        """
        self.stop_process()
        if keys_file is not None:
            self.keys_file = keys_file
        self.start()

    def stop(self) -> None:
        self.stop_process()
        for path in self.cleanup:
            shutil.rmtree(path, ignore_errors=True)


def start_identity_provider(
    port: int | None = None,
    *,
    keys_file: Path | None = None,
    redirect_uris: Iterable[str] = (),
    extra_claims: Mapping[str, Any] | None = None,
    access_token_ttl: int | None = None,
    log_path: Path | None = None,
) -> IdentityProvider:
    """Start the provider on `port` (any free one when None) and wait for its discovery document.

    Without `keys_file` it signs with one new key kept in a temporary folder; without
    `log_path` its output goes to a file there too.
    """
    scratch = Path(tempfile.mkdtemp(prefix="samspill-idp-"))
    if keys_file is None:
        keys_file = write_keys(scratch / "jwks.json", [generate_signing_key("samspill-dev")])
    env = {"IDP_REDIRECT_URIS": ",".join(redirect_uris)}
    if extra_claims:
        env["IDP_EXTRA_CLAIMS"] = json.dumps(dict(extra_claims))
    if access_token_ttl is not None:
        env["IDP_ACCESS_TOKEN_TTL"] = str(access_token_ttl)
    provider = IdentityProvider(
        port=port or free_port(),
        keys_file=keys_file,
        log_path=log_path or scratch / "identity-provider.log",
        env=env,
        cleanup=[scratch],
    )
    try:
        provider.start()
    except BaseException:
        provider.stop()
        raise
    return provider


def oidc_issuers_env(issuer: str, audience: str = DEFAULT_AUDIENCE) -> str:
    """`OIDC_ISSUERS` for the services: trust this provider, its admin group makes admins."""
    trusted = {"issuer": issuer, "audience": audience, "admin_groups": [ADMIN_GROUP]}
    return json.dumps([trusted | {"name": "embedded"}])


# --- signing keys ------------------------------------------------------------------------


def generate_signing_key(kid: str) -> dict[str, Any]:
    """A new RSA 2048 private key as a JWK for RS256 signatures."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = RSAAlgorithm.to_jwk(key, as_dict=True)
    # PyJWT marks a private key `key_ops: ["sign"]`; the provider would publish that on the
    # public key too, and strict clients then refuse to verify with it. `use` says enough.
    jwk.pop("key_ops", None)
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def write_keys(path: Path, keys: Sequence[Mapping[str, Any]]) -> Path:
    """Write a JWKS file the provider reads: the first key signs, all are published."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"keys": [dict(key) for key in keys]}, indent=2))
    path.chmod(0o600)
    return path


# --- a client: discovery, client credentials, the authorization-code flow -----------------


def discovery_url(issuer: str) -> str:
    return f"{issuer.rstrip('/')}/.well-known/openid-configuration"


def discover(issuer: str) -> dict[str, Any]:
    response = httpx.get(discovery_url(issuer), timeout=HTTP_TIMEOUT_S)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


@dataclass(frozen=True)
class Tokens:
    access_token: str
    token_type: str
    expires_in: int | None
    scope: str | None
    id_token: str | None


@dataclass(frozen=True)
class Authorization:
    """An authorization code and the PKCE verifier that goes with it."""

    code: str
    code_verifier: str
    client_id: str
    redirect_uri: str


def client_credentials_token(
    issuer: str, client_id: str, secret: str, scope: str = ADMIN_SCOPE
) -> str:
    """An access token for the client itself (client_secret_basic)."""
    response = httpx.post(
        discover(issuer)["token_endpoint"],
        data={"grant_type": "client_credentials", "scope": scope},
        auth=(client_id, secret),
        timeout=HTTP_TIMEOUT_S,
    )
    return _tokens(response).access_token


def log_in(
    issuer: str,
    *,
    login: str,
    redirect_uri: str,
    client_id: str = PORTAL_CLIENT,
    scope: str = DEFAULT_SCOPE,
    code_verifier_override: str | None = None,
) -> Tokens:
    """The authorization-code flow with PKCE as `login`, through the login and consent forms.

    `code_verifier_override` redeems the code with another verifier than the one whose
    challenge was sent, which the provider must refuse (`OidcRefused`, `invalid_grant`).
    """
    authorization = authorize(
        issuer, login=login, redirect_uri=redirect_uri, client_id=client_id, scope=scope
    )
    return redeem(issuer, authorization, code_verifier=code_verifier_override)


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize(
    issuer: str,
    *,
    login: str,
    redirect_uri: str,
    client_id: str = PORTAL_CLIENT,
    scope: str = DEFAULT_SCOPE,
) -> Authorization:
    """Ask for a code with an S256 challenge, sign in as `login` and consent; return the code."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    params = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    with httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=False) as browser:
        answer = browser.get(discover(issuer)["authorization_endpoint"], params=params)
        callback = _through_forms(browser, answer, redirect_uri, login)
    found = {name: values[0] for name, values in parse_qs(urlsplit(callback).query).items()}
    if "error" in found:
        raise OidcRefused(found["error"], found.get("error_description"))
    if found.get("state") != state:
        raise OidcRefused("invalid_state", "the callback's state is not the one sent")
    return Authorization(found["code"], verifier, client_id, redirect_uri)


def sign_in_at(authorization_url: str, *, redirect_uri: str, login: str) -> str:
    """Open an authorization request someone else built (the portal's login redirect), sign in
    as `login` and consent; return the callback URL the provider sends the browser to."""
    with httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=False) as browser:
        return _through_forms(browser, browser.get(authorization_url), redirect_uri, login)


def redeem(
    issuer: str, authorization: Authorization, *, code_verifier: str | None = None
) -> Tokens:
    """Exchange the code for tokens, with the authorization's verifier unless another is given."""
    response = httpx.post(
        discover(issuer)["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": authorization.code,
            "redirect_uri": authorization.redirect_uri,
            "client_id": authorization.client_id,
            "code_verifier": code_verifier or authorization.code_verifier,
        },
        timeout=HTTP_TIMEOUT_S,
    )
    return _tokens(response)


def _tokens(response: httpx.Response) -> Tokens:
    body = _json(response)
    if response.status_code != 200 or "access_token" not in body:
        raise OidcRefused(
            str(body.get("error", f"http_{response.status_code}")),
            body.get("error_description"),
            response.status_code,
        )
    return Tokens(
        access_token=body["access_token"],
        token_type=body.get("token_type", ""),
        expires_in=body.get("expires_in"),
        scope=body.get("scope"),
        id_token=body.get("id_token"),
    )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _through_forms(
    browser: httpx.Client, answer: httpx.Response, redirect_uri: str, login: str
) -> str:
    """Follow redirects and submit the login and consent forms until the redirect URI."""
    for _ in range(MAX_LOGIN_STEPS):
        if answer.is_redirect:
            target = urljoin(str(answer.url), answer.headers["location"])
            if _is_callback(target, redirect_uri):
                return target
            answer = browser.get(target)
            continue
        if answer.status_code != 200:
            raise OidcRefused(f"http_{answer.status_code}", _error_text(answer), answer.status_code)
        form = _first_form(answer.text)
        if form is None:
            raise OidcRefused("no_form", _error_text(answer), answer.status_code)
        fields = dict(form.fields)
        if "login" in fields:
            fields |= {"login": login, "password": "any"}
        action = urljoin(str(answer.url), form.action or str(answer.url))
        answer = browser.post(action, data=fields)
    raise OidcRefused("too_many_steps", f"no redirect to {redirect_uri} after {MAX_LOGIN_STEPS}")


def _is_callback(target: str, redirect_uri: str) -> bool:
    return target.split("?", 1)[0] == redirect_uri


def _error_text(answer: httpx.Response) -> str:
    return " ".join(_TextOnly.of(answer.text).split())[:500]


@dataclass
class _Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)


class _Forms(HTMLParser):
    """The forms of a page, with their named input fields and their values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self._open: _Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._open = _Form(action=attributes.get("action", ""))
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and attributes.get("name"):
            self._open.fields.append((attributes["name"], attributes.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " ".join(parser.parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _first_form(html: str) -> _Form | None:
    parser = _Forms()
    parser.feed(html)
    return parser.forms[0] if parser.forms else None
