"""OpenID Connect bearer tokens (``VOXTELL_OIDC_ISSUER``): a JWT of the hospital's identity
provider is checked against the provider's discovery document and published keys (JWKS, cached,
fetched again when a token names a key it does not know — the provider rotated its keys), with
its issuer, audience, expiry and an allowed list of signature algorithms (never ``none``, never an
HMAC: a token "signed" with the public key as an HMAC secret is refused before any check).

Every refusal is an ``Unauthorized`` that says what was wrong; a provider that cannot be reached
is ``UpstreamFailed`` (502).
"""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import Any

import jwt

from backend.domain.errors import Unauthorized, UpstreamFailed
from backend.settings import Settings

_TIMEOUT_S = 10.0
JWKS_COOLDOWN_S = 30.0  # the least time between two JWKS fetches for unknown key ids


class OidcVerifier:
    """``BearerVerifier`` for one issuer."""

    def __init__(self, settings: Settings) -> None:
        assert settings.oidc_issuer is not None
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.audience = settings.oidc_audience
        self.leeway_s = settings.oidc_leeway_s
        self.algorithms = [a for a in settings.oidc_algorithms if a.upper() != "NONE" and not a.upper().startswith("HS")]
        self._jwks: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    def _keys(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._jwks is None:
                url = f"{self.issuer}/.well-known/openid-configuration"
                try:
                    with urllib.request.urlopen(url, timeout=_TIMEOUT_S) as answer:  # noqa: S310 (the configured issuer)
                        discovery = json.loads(answer.read())
                except (OSError, ValueError):
                    raise UpstreamFailed("the OpenID Connect provider could not be reached to check the token") from None
                if str(discovery.get("issuer", "")).rstrip("/") != self.issuer or not discovery.get("jwks_uri"):
                    raise UpstreamFailed("the OpenID Connect provider's discovery document names another issuer")
                # An unknown key id refetches the JWKS (a rotation), at most once per cooldown: a
                # flood of tokens with made-up key ids never becomes a flood of requests to the
                # provider. A key rotated within the cooldown of the last fetch waits for it.
                self._jwks = jwt.PyJWKClient(discovery["jwks_uri"], cache_keys=True, lifespan=3600,
                                             timeout=int(_TIMEOUT_S), cooldown_duration=JWKS_COOLDOWN_S)
            return self._jwks

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a valid token.

        Raises:
            Unauthorized: naming what is wrong; UpstreamFailed: the provider is unreachable.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("the bearer token is neither an API token nor a readable JWT") from None
        algorithm = str(header.get("alg", ""))
        if algorithm not in self.algorithms:
            raise Unauthorized(f"the token's signature algorithm ({algorithm or 'none'}) is not accepted "
                               f"(allowed: {', '.join(self.algorithms)})")
        try:
            key = self._keys().get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError:
            raise UpstreamFailed("the OpenID Connect provider's keys could not be fetched") from None
        except jwt.PyJWKClientError:
            raise Unauthorized("the token is signed with a key the provider does not publish") from None
        try:
            return jwt.decode(token, key.key, algorithms=[algorithm], audience=self.audience, issuer=self.issuer,
                              options={"require": ["exp", "iss", "aud", "sub"]}, leeway=self.leeway_s)
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token expired: sign in again") from None
        except jwt.InvalidAudienceError:
            raise Unauthorized(f"the token is not for this service (its audience must be {self.audience})") from None
        except jwt.InvalidIssuerError:
            raise Unauthorized("the token is from another issuer than this server trusts (VOXTELL_OIDC_ISSUER)") from None
        except jwt.InvalidSignatureError:
            raise Unauthorized("the token's signature is not valid") from None
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthorized(f"the token lacks the {exc.claim} claim") from None
        except jwt.PyJWTError:
            raise Unauthorized("the token is not valid") from None
