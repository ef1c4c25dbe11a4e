"""The strict launch: pylti1p3's MessageLaunch with every check of the 1EdTech Security Framework enforced.

pylti1p3 2.0.0 checks only aud[0], never azp, accepts a token without exp, has no clock leeway, lets a nonce
be reused with a fresh id_token, ignores target_link_uri and never refetches a rotated JWKS. Each method
below closes one of those gaps and names the rule it enforces.
"""

from __future__ import annotations

import jwt
from pylti1p3.contrib.flask import FlaskMessageLaunch
from pylti1p3.exception import LtiException
from pylti1p3.message_validators import get_validators

from .claims import trimmed
from .platform_keys import PLATFORM_KEYS, PlatformKeys
from .rejection import LaunchRejected
from .storage import LaunchStore, LoginRecord

LEEWAY_SECONDS = 60
ALGORITHM = "RS256"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
MESSAGE_TYPES = (RESOURCE_LINK, DEEP_LINKING)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class StrictMessageLaunch(FlaskMessageLaunch):
    """A launch that is either fully valid or raises LaunchRejected with one reason code."""

    def __init__(
        self,
        request,
        tool_config,
        *,
        store: LaunchStore,
        browser_secret: str | None,
        platform_keys: PlatformKeys = PLATFORM_KEYS,
        requests_session=None,
    ):
        super().__init__(request, tool_config, requests_session=requests_session)
        self.store = store
        self.browser_secret = browser_secret
        self.platform_keys = platform_keys
        self.record: LoginRecord | None = None
        self.registration_row_id = 0

    # Nothing is trusted before the signature, and single-use things (state, nonce) are spent last, in one
    # Redis round trip. When the token does not name one registered client by itself (several audiences
    # without azp, an unknown issuer or client), the login record is taken first to say precisely why.
    def validate(self) -> StrictMessageLaunch:
        self._validated = True
        try:
            self._param("state")
            self.validate_jwt_format()
            if self._claimed_client() is None:
                self.validate_state()
            (
                self.validate_registration()
                .validate_jwt_signature()
                .validate_nonce()
                .validate_deployment()
                .validate_message()
            )
            if self.record is None:
                self.spend_state_and_nonce()
            else:
                self.save_launch_data()
            self.validate_target_link_uri()
        except LaunchRejected:
            if self.record is not None:  # the launch may already be stored: it must not outlive a refusal
                self.store.forget_launch(self._launch_id)
            self._validated = False
            raise
        except BaseException:
            self._validated = False
            raise
        return self

    def _claimed_client(self) -> tuple[str, str] | None:
        """(issuer, client_id) as the token states them, when they name one active registration."""
        body = self._jwt.get("body") or {}
        aud, azp, iss = body.get("aud"), body.get("azp"), body.get("iss")
        client = azp or (aud if isinstance(aud, str) else aud[0] if isinstance(aud, list) and len(aud) == 1 else None)
        if not isinstance(iss, str) or not isinstance(client, str):
            return None
        return (iss, client) if self._tool_config.row(iss, client) else None

    def _expected(self) -> tuple[str, str]:
        if self.record is not None:
            return self.record.issuer, self.record.client_id
        return self._claimed_client()

    def get_client_id(self) -> str:
        return self._expected()[1]

    def _param(self, key: str) -> str:
        value = self._get_request_param(key)
        if not value:
            raise LaunchRejected("missing_parameter", key)
        return value

    def validate_state(self) -> StrictMessageLaunch:
        """Security Framework 5.1.1.2 (state): the state was issued by our login, is used once, and comes
        back in the same browser (cookie, or the secret kept in the platform's storage)."""
        self.record = self.store.take(self._param("state"), self.browser_secret)
        if self.record is None:
            raise LaunchRejected("state_unknown")
        if not self.record.browser_matches(self.browser_secret):
            raise LaunchRejected("state_browser_mismatch")
        return self

    def validate_jwt_format(self) -> StrictMessageLaunch:
        """Security Framework 5.1.3 item 1 / RFC 7515: a three-part JWS, RS256 only (no 'none'), a kid."""
        try:
            super().validate_jwt_format()
        except LtiException as exc:
            raise LaunchRejected("malformed_token") from exc
        header = self._jwt.get("header") or {}
        if header.get("alg") != ALGORITHM:
            raise LaunchRejected("alg_not_allowed", str(header.get("alg"))[:10])
        if not header.get("kid"):
            raise LaunchRejected("kid_missing")
        return self

    def validate_registration(self) -> StrictMessageLaunch:
        """Security Framework 5.1.3 items 2-5: iss is the platform the login was for; aud (string or list)
        contains our client_id; with several audiences azp is present; whenever azp is present it is ours."""
        body = self._jwt.get("body") or {}
        issuer, client_id = self._expected()
        if body.get("iss") != issuer:
            raise LaunchRejected("wrong_issuer")
        aud = body.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if client_id not in audiences:
            raise LaunchRejected("aud_mismatch")
        if len(audiences) > 1 and "azp" not in body:
            raise LaunchRejected("azp_missing")
        if "azp" in body and body["azp"] != client_id:
            raise LaunchRejected("azp_mismatch")
        self._registration = self._tool_config.find_registration_by_params(issuer, client_id)
        if self._registration is None:
            raise LaunchRejected("unknown_registration")
        self.registration_row_id = self._registration.row_id
        return self

    def validate_jwt_signature(self) -> StrictMessageLaunch:
        """Security Framework 5.1.3 items 1, 6, 7 (and 5.1.3 exp/iat): signature by the platform's key for
        this kid (one JWKS refetch on an unknown kid), exp required and in the future, iat required and not
        in the future, both with a 60 s clock leeway."""
        reg = self._registration
        key = self.platform_keys.public_key(
            self._jwt["header"]["kid"], key_set_url=reg.get_key_set_url(), key_set=reg.get_key_set()
        )
        try:
            claims = jwt.decode(
                self._get_id_token(),
                key,
                algorithms=[ALGORITHM],
                audience=self._expected()[1],
                issuer=self._expected()[0],
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.MissingRequiredClaimError as exc:
            raise LaunchRejected(f"{exc.claim}_missing" if exc.claim in ("exp", "iat") else "bad_claims") from exc
        except jwt.ExpiredSignatureError as exc:
            raise LaunchRejected("token_expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise LaunchRejected("iat_in_future") from exc
        except jwt.InvalidSignatureError as exc:
            raise LaunchRejected("bad_signature") from exc
        except jwt.InvalidAudienceError as exc:
            raise LaunchRejected("aud_mismatch") from exc
        except jwt.InvalidIssuerError as exc:
            raise LaunchRejected("wrong_issuer") from exc
        except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
            raise LaunchRejected("bad_claims") from exc
        if any(not _is_number(claims[k]) for k in ("exp", "iat", "nbf") if k in claims):
            raise LaunchRejected("bad_claims", "time claims must be JSON numbers")  # RFC 7519 2 NumericDate
        self._jwt["body"] = claims  # from here on only verified claims are read
        return self

    def validate_nonce(self) -> StrictMessageLaunch:
        """OIDC Core 3.1.3.7 item 11: a nonce is present. Whether it is fresh and ours is decided when it is
        spent, last (save_launch_data), so a refused launch never burns it."""
        if not self._jwt["body"].get("nonce"):
            raise LaunchRejected("nonce_missing")
        return self

    def validate_deployment(self) -> StrictMessageLaunch:
        """LTI 1.3 Core 5.3.3: the deployment_id is known for this registration (issuer + client_id)."""
        deployment_id = self._jwt["body"].get(CLAIM + "deployment_id")
        if not deployment_id or not self._tool_config.find_deployment_by_params(
            self._expected()[0], deployment_id, self._expected()[1]
        ):
            raise LaunchRejected("unknown_deployment")
        return self

    def validate_message(self) -> StrictMessageLaunch:
        """LTI 1.3 Core 5.3.1-5.3.7 and Deep Linking 2.0 4.4.1: message_type we handle, version 1.3.0,
        roles claim present, a user (sub), a resource_link.id or deep_linking_settings as the type needs."""
        body = self._jwt["body"]
        message_type = body.get(CLAIM + "message_type")
        if message_type not in MESSAGE_TYPES:
            raise LaunchRejected("wrong_message_type", str(message_type)[:40])
        if body.get(CLAIM + "version") != "1.3.0":
            raise LaunchRejected("wrong_version")
        if not isinstance(body.get(CLAIM + "roles"), list):
            raise LaunchRejected("roles_missing")
        if not body.get("sub"):
            raise LaunchRejected("sub_missing")
        if message_type == RESOURCE_LINK and not (body.get(CLAIM + "resource_link") or {}).get("id"):
            raise LaunchRejected("resource_link_missing")
        if message_type == DEEP_LINKING and not body.get(
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
        ):
            raise LaunchRejected("deep_linking_settings_missing")
        for validator in get_validators():  # pylti1p3's own checks still run after ours
            if validator.can_validate(body):
                try:
                    validator.validate(body)
                except LtiException as exc:
                    raise LaunchRejected("bad_claims", str(exc)[:80]) from exc
        return self

    def validate_target_link_uri(self) -> StrictMessageLaunch:
        """LTI 1.3 Core 5.1.1 / Security Framework 5.1.1.1: the id_token's target_link_uri is the one the
        login was asked for (and that login only accepted our own URLs)."""
        if self._jwt["body"].get(CLAIM + "target_link_uri") != self.record.target_link_uri:
            raise LaunchRejected("target_link_uri_mismatch")
        return self

    def spend_state_and_nonce(self) -> StrictMessageLaunch:
        """Security Framework 5.1.1.2 and 5.1.3 item 9: the state was issued by our login for this issuer and
        client, is used once and comes back in the same browser (cookie, or the secret kept in the platform's
        storage); the nonce is the one issued to that login and is accepted once only (a fresh id_token cannot
        reuse it). One Redis round trip takes the state, spends the nonce and stores the launch."""
        issuer, client_id = self._expected()
        body = self._jwt["body"]
        self.record, fresh = self.store.take_and_spend(
            self._param("state"), issuer, body["nonce"], self._launch_id, trimmed(body), self.browser_secret
        )
        if self.record is None:
            raise LaunchRejected("state_unknown")
        if not self.record.browser_matches(self.browser_secret):
            raise LaunchRejected("state_browser_mismatch")
        if self.record.issuer != issuer:
            raise LaunchRejected("wrong_issuer")
        if self.record.client_id != client_id:
            raise LaunchRejected("aud_mismatch")
        if not fresh:
            raise LaunchRejected("nonce_reused")
        if body["nonce"] != self.record.nonce:
            raise LaunchRejected("nonce_mismatch")
        return self

    def save_launch_data(self) -> StrictMessageLaunch:
        """Security Framework 5.1.3 item 9: the nonce is accepted once only (a fresh id_token cannot reuse
        it) and it is the one we issued to this browser's login. Spent together with storing the launch."""
        nonce = self._jwt["body"]["nonce"]
        if not self.store.spend_nonce_and_save(self.record.issuer, nonce, self._launch_id, trimmed(self._jwt["body"])):
            raise LaunchRejected("nonce_reused")
        if nonce != self.record.nonce:
            self.store.forget_launch(self._launch_id)
            raise LaunchRejected("nonce_mismatch")
        return self

    def get_service_connector(self):
        from .service_connector import StrictServiceConnector

        return StrictServiceConnector(self._registration, self.store, self._requests_session)
