"""Sign-in with the hospital's OpenID Connect provider (``VOXTELL_OIDC_ISSUER``), against a real
provider — npm's ``oidc-provider``, OpenID Certified — started by the tests, people signing in
through its own login and consent pages with PKCE. A valid token names its person (made at the
first sign-in, their role from the token's ``realm_access.roles``); every bad token answers 401
saying what is wrong (expired, another audience, another issuer, ``alg: none``, HS256 "signed"
with the public key, a changed payload, a key the provider does not publish), a person without
a VoxTell role 403. When the provider rotates its signing key, the server fetches the keys again
for the new kid without a restart: not for every request, and at most once per PyJWT's cooldown
(30 s) however many tokens name unknown keys."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from tests.backend.conftest import FakePredictor, nifti_bytes
from tests.backend.people import bearer
from tests.oidc.provider import Provider, jwks_hits, oidc_provider, rotate_keys, sign_in


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with oidc_provider() as running:
        yield running




def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_person_signs_in_with_the_providers_token_and_their_role(
        make_client: Callable[..., TestClient], provider: Provider, tmp_path: Path) -> None:
    client = make_client(FakePredictor(), oidc_issuer=provider.issuer)
    assert client.get("/api/me").status_code == 401, "with a provider configured, sign-in is required"
    alice = sign_in(provider, "alice")
    me = client.get("/api/me", headers=bearer(alice)).json()
    assert (me["name"], me["role"], me["via"], me["sign_in_required"]) == ("alice", "user", "oidc", True)
    assert client.get("/api/admin/users", headers=bearer(alice)).status_code == 403
    volume = client.post("/api/volumes", files={"file": ("a.nii.gz", nifti_bytes())}, headers=bearer(alice))
    assert volume.status_code == 201 and volume.json()["owner"] == me["id"]
    boss = sign_in(provider, "boss")
    people = client.get("/api/admin/users", headers=bearer(boss))
    assert people.status_code == 200 and {p["name"] for p in people.json()} == {"alice", "boss"}
    assert client.get(f"/api/volumes/{volume.json()['id']}", headers=bearer(boss)).status_code == 200
    visitor = client.get("/api/me", headers=bearer(sign_in(provider, "visitor")))
    assert visitor.status_code == 403 and "none of the roles" in visitor.json()["detail"]
    logins = client.get(f"/api/admin/audit?user_id={me['id']}&action=upload", headers=bearer(boss)).json()
    assert [e["via"] for e in logins] == ["oidc"]
    client.patch(f"/api/admin/users/{me['id']}", json={"disabled": True}, headers=bearer(boss))
    disabled = client.get("/api/me", headers=bearer(alice))
    assert disabled.status_code == 401 and "disabled" in disabled.json()["detail"]


def test_every_bad_token_is_refused_saying_why(make_client: Callable[..., TestClient], provider: Provider) -> None:
    client = make_client(FakePredictor(), oidc_issuer=provider.issuer)
    good = sign_in(provider, "alice")
    header, payload, signature = good.split(".")
    claims = jwt.decode(good, options={"verify_signature": False})
    public = jwt.PyJWKClient(f"{provider.issuer}/jwks").get_signing_key_from_jwt(good).key
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    forged = {
        "alg none": f"{_b64({'alg': 'none', 'typ': 'at+jwt'})}.{payload}.",
        "HS256 with the public key": ".".join([_b64({"alg": "HS256", "typ": "at+jwt"}), payload,
                                               _hs256(pem, _b64({"alg": "HS256", "typ": "at+jwt"}), payload)]),
        "changed payload": f"{header}.{_b64({**claims, 'realm_access': {'roles': ['voxtell-admin']}})}.{signature}",
        "unknown key": f"{_b64({**jwt.get_unverified_header(good), 'kid': 'not-published'})}.{payload}.{signature}",
        "not a JWT": "a.b.c",
    }
    expected = {"alg none": "algorithm (none) is not accepted", "HS256 with the public key": "(HS256) is not accepted",
                "changed payload": "signature is not valid", "unknown key": "does not publish",
                "not a JWT": "neither an API token nor a readable JWT"}
    for case, token in forged.items():
        answer = client.get("/api/me", headers=bearer(token))
        assert answer.status_code == 401 and expected[case] in answer.json()["detail"], (case, answer.text)
    assert client.get("/api/me", headers=bearer(good)).status_code == 200, "the unchanged token is fine"


def _hs256(secret: bytes, header: str, payload: str) -> str:
    import hashlib
    import hmac

    digest = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_audience_issuer_and_expiry_are_checked(make_client: Callable[..., TestClient], provider: Provider,
                                                 tmp_path: Path) -> None:
    token = sign_in(provider, "alice")
    other_audience = make_client(FakePredictor(), oidc_issuer=provider.issuer, oidc_audience="another-service",
                                 data_dir=tmp_path / "other")
    answer = other_audience.get("/api/me", headers=bearer(token))
    assert answer.status_code == 401 and "not for this service" in answer.json()["detail"]
    with oidc_provider(access_token_ttl_s=4) as second:  # same development keys, another issuer
        trusting_the_first = make_client(FakePredictor(), oidc_issuer=provider.issuer)
        strict = make_client(FakePredictor(), oidc_issuer=second.issuer, oidc_leeway_s=0, data_dir=tmp_path / "2")
        elsewhere = sign_in(second, "alice")
        answer = trusting_the_first.get("/api/me", headers=bearer(elsewhere))
        assert answer.status_code == 401 and "another issuer" in answer.json()["detail"]
        assert strict.get("/api/me", headers=bearer(elsewhere)).status_code == 200
        time.sleep(max(0.0, jwt.decode(elsewhere, options={"verify_signature": False})["exp"] - time.time() + 1.1))
        expired = strict.get("/api/me", headers=bearer(elsewhere))
        assert expired.status_code == 401 and "expired" in expired.json()["detail"]


def test_an_unreachable_provider_is_a_502_not_a_500(make_client: Callable[..., TestClient], provider: Provider) -> None:
    token = sign_in(provider, "alice")
    client = make_client(FakePredictor(), oidc_issuer="http://127.0.0.1:9")
    answer = client.get("/api/me", headers=bearer(token))
    assert answer.status_code == 502 and "could not be reached" in answer.json()["detail"]
    assert httpx.get(f"{provider.issuer}/jwks").status_code == 200


def test_the_app_learns_how_to_sign_in_before_signing_in(make_client: Callable[..., TestClient],
                                                        provider: Provider, tmp_path: Path) -> None:
    client = make_client(FakePredictor(), oidc_issuer=provider.issuer, oidc_resource="urn:voxtell-web")
    options = client.get("/api/sign-in")
    assert options.status_code == 200 and options.json() == {
        "required": True, "api_tokens": True,
        "oidc": {"issuer": provider.issuer, "client_id": "voxtell-web", "scope": "openid profile",
                 "resource": "urn:voxtell-web"}}
    workstation = make_client(FakePredictor(), data_dir=tmp_path / "workstation").get("/api/sign-in").json()
    assert workstation == {"required": False, "api_tokens": True, "oidc": None}



class _Clock:
    """``time`` for PyJWT's JWKS client, its monotonic clock moved on at will (:meth:`wait`)."""

    def __init__(self) -> None:
        self.ahead_s = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.ahead_s

    def wait(self, seconds: float) -> None:
        self.ahead_s += seconds

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)


def test_a_rotated_signing_key_is_fetched_once_without_a_restart(
        make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch) -> None:
    # PyJWT fetches the JWKS again for an unknown kid at most once per cooldown (30 s) since its
    # last fetch, so that tokens naming made-up keys cannot make the server hammer the provider.
    # The server's JWKS client runs on this clock: "later" costs no waiting.
    clock = _Clock()
    monkeypatch.setattr(jwt.jwks_client, "time", clock)
    with oidc_provider(generated_keys=True) as rotating:
        client = make_client(FakePredictor(), oidc_issuer=rotating.issuer)
        first = sign_in(rotating, "alice")
        assert jwks_hits(rotating) == 0
        for _ in range(5):
            assert client.get("/api/me", headers=bearer(first)).status_code == 200
        assert jwks_hits(rotating) == 1, "the keys are fetched once, not for every request"
        clock.wait(120)  # a while later the provider rotates its signing key
        new_kid = rotate_keys(rotating)
        second = sign_in(rotating, "alice")
        assert jwt.get_unverified_header(second)["kid"] == new_kid != jwt.get_unverified_header(first)["kid"]
        me = client.get("/api/me", headers=bearer(second))
        assert me.status_code == 200 and me.json()["name"] == "alice", me.text
        assert jwks_hits(rotating) == 2, "the unknown kid made the server fetch the keys again, once"
        for token in (second, first, second):  # the previous key is still published: both tokens are good
            assert client.get("/api/me", headers=bearer(token)).status_code == 200
        assert jwks_hits(rotating) == 2
        # A token of a key the provider never published: its claims are real, its signature too.
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        claims = jwt.decode(second, options={"verify_signature": False})
        forged = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "never-published", "typ": "at+jwt"})
        for _ in range(10):
            answer = client.get("/api/me", headers=bearer(forged))
            assert answer.status_code == 401 and "does not publish" in answer.json()["detail"], answer.text
        assert jwks_hits(rotating) == 2, "tokens naming unknown keys right after a fetch cause no new fetch"
        clock.wait(120)
        for _ in range(10):
            assert client.get("/api/me", headers=bearer(forged)).status_code == 401
        assert jwks_hits(rotating) == 3, "later, a flood of unknown kids fetches the keys once"
        assert client.get("/api/me", headers=bearer(second)).status_code == 200
