"""The tests' OpenID Connect provider: npm's ``oidc-provider`` (OpenID Certified) run with the
project's Node on a free loopback port (``tests/oidc/provider.mjs``), stopped by the context
manager also when a test fails; and a person signing in through its login and consent pages
(authorization code flow with PKCE, as the web app does), scripted over HTTP. With
``generated_keys`` the provider signs with a key of its own that :func:`rotate_keys` replaces
while it runs, and :func:`jwks_hits` says how often its JWKS was fetched."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import httpx

from tests.services import free_port

HERE = Path(__file__).resolve().parent
CLIENT_ID = "voxtell-web"


@dataclass(frozen=True)
class Provider:
    issuer: str
    redirect_uri: str


def _node_modules() -> None:
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True, timeout=600)


@contextlib.contextmanager
def oidc_provider(redirect_uri: str = "http://127.0.0.1:9/callback", access_token_ttl_s: int = 600,
                  generated_keys: bool = False) -> Iterator[Provider]:
    """The provider; its signing key oidc-provider's development keys (shared by every provider
    started so), or with ``generated_keys`` an RSA key of its own, rotatable (:func:`rotate_keys`)."""
    _node_modules()
    port = free_port()
    process = subprocess.Popen([shutil.which("node") or "node", "provider.mjs", str(port), redirect_uri], cwd=HERE,
                               env={**os.environ, "OIDC_ACCESS_TOKEN_TTL": str(access_token_ttl_s),
                                    "OIDC_GENERATED_KEYS": "1" if generated_keys else "0"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the OpenID Connect provider did not start: "
                                   + (process.stdout.read().decode() if process.stdout else ""))
            time.sleep(0.2)
        yield Provider(issuer, redirect_uri)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def rotate_keys(provider: Provider) -> str:
    """The provider signs with a new key from now on (published with the previous one): its kid."""
    answer = httpx.post(f"{provider.issuer}/__test/rotate", timeout=30)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["kid"])


def jwks_hits(provider: Provider) -> int:
    """How many times the provider's JWKS was fetched since it started."""
    return int(httpx.get(f"{provider.issuer}/__test/jwks-hits", timeout=10).json()["hits"])


def sign_in(provider: Provider, login: str) -> str:
    """An access token (a JWT for the audience ``voxtell-web``) of ``login``, got through the
    provider's own login and consent pages with PKCE."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        answer = browser.get(f"{provider.issuer}/auth", params={
            "client_id": CLIENT_ID, "response_type": "code", "scope": "openid profile",
            "redirect_uri": provider.redirect_uri, "code_challenge": challenge, "code_challenge_method": "S256",
            "state": secrets.token_hex(8), "resource": "urn:voxtell-web"})
        for _ in range(12):
            if answer.is_redirect:
                location = urljoin(str(answer.url), answer.headers["location"])
                if location.startswith(provider.redirect_uri):
                    query = parse_qs(urlparse(location).query)
                    assert "code" in query, query
                    code = query["code"][0]
                    break
                answer = browser.get(location)
                continue
            page = answer.text
            action = urljoin(str(answer.url), re.search(r'<form[^>]*action="([^"]+)"', page).group(1))  # type: ignore[union-attr]
            fields = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
            if 'name="login"' in page:  # the login page (any password), then the consent page
                fields.update(login=login, password="any")
            answer = browser.post(action, data=fields)
        else:
            raise AssertionError("the provider never redirected back with a code")
        tokens = browser.post(f"{provider.issuer}/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": provider.redirect_uri,
            "client_id": CLIENT_ID, "code_verifier": verifier, "resource": "urn:voxtell-web"})
        assert tokens.status_code == 200, tokens.text
        return str(tokens.json()["access_token"])
