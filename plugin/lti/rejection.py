"""Why a login or launch was refused: one reason code each, a 4xx status, and advice for the LMS admin."""

from __future__ import annotations

from ..errors import LtiError

ADMIN_KEYS = "Check that the platform's public keyset URL in Flipside is right and that the platform signs with RS256."
ADMIN_REG = "Check that Flipside is registered in the LMS with the same client ID and issuer as in Flipside."
RETRY = "Go back to the course and open Flipside again. If it keeps happening, tell your LMS admin."
CLOCK = "The LMS server clock may be wrong; ask the LMS admin to check its time synchronisation (NTP)."

# code: (status, what failed, what to tell the LMS admin)
REASONS: dict[str, tuple[int, str, str]] = {
    "missing_parameter": (400, "The LMS did not send a required login or launch parameter.", ADMIN_REG),
    "unknown_registration": (
        400,
        "This LMS (issuer and client ID) is not registered with Flipside, or its registration is still pending.",
        ADMIN_REG,
    ),
    "client_id_required": (
        400,
        "The LMS has several registrations here and did not say which client it is.",
        ADMIN_REG,
    ),
    "target_link_uri_foreign": (400, "The LMS asked to open an address outside Flipside.", ADMIN_REG),
    "state_unknown": (400, "This launch was not started here, has expired, or was already used.", RETRY),
    "state_browser_mismatch": (
        403,
        "The launch came back in a different browser than the one that started it.",
        RETRY,
    ),
    "malformed_token": (400, "The LMS sent an id_token that is not a signed JWT.", ADMIN_KEYS),
    "alg_not_allowed": (
        401,
        "The id_token is not signed with RS256 (unsigned tokens are refused).",
        ADMIN_KEYS,
    ),
    "kid_missing": (401, "The id_token does not say which key signed it (no kid).", ADMIN_KEYS),
    "unknown_kid": (401, "The id_token was signed with a key the platform does not publish.", ADMIN_KEYS),
    "no_platform_keys": (400, "Flipside has no public key for this platform.", ADMIN_KEYS),
    "platform_keys_unavailable": (424, "Flipside could not fetch the platform's public keys.", ADMIN_KEYS),
    "bad_signature": (401, "The id_token's signature does not verify with the platform's key.", ADMIN_KEYS),
    "wrong_issuer": (401, "The id_token comes from a different issuer than the login.", ADMIN_REG),
    "aud_mismatch": (401, "The id_token is not addressed to Flipside's client ID.", ADMIN_REG),
    "azp_missing": (401, "The id_token has several audiences but no authorised party (azp).", ADMIN_REG),
    "azp_mismatch": (401, "The id_token's authorised party (azp) is not Flipside's client ID.", ADMIN_REG),
    "exp_missing": (401, "The id_token has no expiry time.", ADMIN_REG),
    "iat_missing": (401, "The id_token has no issue time.", ADMIN_REG),
    "token_expired": (401, "The id_token has expired.", CLOCK),
    "iat_in_future": (401, "The id_token was issued in the future.", CLOCK),
    "bad_claims": (401, "The id_token's time claims are not valid numbers.", ADMIN_REG),
    "nonce_missing": (401, "The id_token carries no nonce.", ADMIN_REG),
    "nonce_reused": (401, "This id_token's nonce was already used (a replay).", RETRY),
    "nonce_mismatch": (401, "The id_token's nonce is not the one Flipside issued to this browser.", RETRY),
    "unknown_deployment": (
        403,
        "This deployment of Flipside is not known for this LMS registration.",
        "Add the deployment ID shown in the LMS to Flipside (admin page or `flipside platform add`).",
    ),
    "deployment_not_assigned": (
        403,
        "This deployment is not connected to any organisation in Flipside.",
        "An HR admin must attach the deployment to their organisation in Flipside.",
    ),
    "wrong_message_type": (400, "The LMS sent a kind of LTI message Flipside does not handle.", ADMIN_REG),
    "wrong_version": (400, "The LMS did not send an LTI 1.3.0 message.", ADMIN_REG),
    "roles_missing": (400, "The launch carries no roles claim.", ADMIN_REG),
    "sub_missing": (400, "The launch does not identify the user (no sub).", ADMIN_REG),
    "resource_link_missing": (400, "The resource link launch has no resource link id.", ADMIN_REG),
    "deep_linking_settings_missing": (
        400,
        "The deep linking request has no deep linking settings.",
        ADMIN_REG,
    ),
    "target_link_uri_mismatch": (
        400,
        "The id_token's target_link_uri is not where the login asked to go.",
        ADMIN_REG,
    ),
    "role_not_supported": (
        403,
        "Your LMS role has no place in Flipside (learners, instructors and administrators only).",
        "Give the user a Learner or Instructor role in the course, or an HR admin can grant access.",
    ),
    "bad_openid_configuration": (400, "The LMS's registration configuration is not usable.", ADMIN_REG),
    "platform_unreachable": (
        424,
        "Flipside could not reach the LMS to complete the registration.",
        ADMIN_REG,
    ),
    "registration_refused": (400, "The LMS refused Flipside's registration.", ADMIN_REG),
    "platform_error": (400, "The LMS refused to sign you in to Flipside.", RETRY),
    "registration_exists": (409, "This LMS client is already registered with Flipside elsewhere.", ADMIN_REG),
    "issuer_host_mismatch": (
        400,
        "The LMS's configuration names an issuer on a different host than the configuration itself.",
        ADMIN_REG,
    ),
    "token_too_large": (413, "The LMS sent an id_token larger than any real launch.", ADMIN_REG),
    "return_url_not_trusted": (
        400,
        "The LMS asked Flipside to send the course content to an address it does not trust.",
        "The deep linking return URL must be https on the LMS's own host (or one added on /admin/lti/).",
    ),
}


class LaunchRejected(LtiError):
    """A login, launch or registration message failed a security or protocol check."""

    def __init__(self, code: str, detail: str = ""):
        status, what, hint = REASONS.get(code, (400, "The LTI message was refused.", ADMIN_REG))
        super().__init__(what + (f" ({detail})" if detail else ""), code=code, status=status)
        self.hint = hint
