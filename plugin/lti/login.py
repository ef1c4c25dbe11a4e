"""OIDC third-party initiated login (LTI 1.3 Core 5.1.1): check, remember, build the auth URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from sqlalchemy import select

from ..models.lti import LtiRegistration
from .rejection import LaunchRejected
from .storage import LaunchStore, new_secret
from .tool_conf import DbToolConf

PASSED_ON = ("lti_message_hint",)


@dataclass(frozen=True)
class LoginPlan:
    """Where to send the browser, and the browser secret to bind the launch to."""

    auth_url: str
    browser_secret: str
    state: str
    storage_target: str
    platform_origin: str


def begin_login(
    params, tool_conf: DbToolConf, store: LaunchStore, base_url: str, browser_secret: str | None
) -> LoginPlan:
    """Security Framework 5.1.1.1: only a registered issuer (+ client) may start a login, and only towards our
    own URLs; state and nonce are fresh, single use and bound to this browser."""
    iss, login_hint, target = (params.get(k, "") for k in ("iss", "login_hint", "target_link_uri"))
    for name, value in (("iss", iss), ("login_hint", login_hint), ("target_link_uri", target)):
        if not value:
            raise LaunchRejected("missing_parameter", name)
    row = _registration(tool_conf, iss, params.get("client_id", ""))
    if not (target == base_url or target.startswith(base_url + "/")):
        raise LaunchRejected("target_link_uri_foreign")
    secret = browser_secret or new_secret()
    storage_target = params.get("lti_storage_target", "")
    state, nonce = store.begin(
        issuer=row.issuer,
        client_id=row.client_id,
        target_link_uri=target,
        browser_secret=secret,
        storage_target=storage_target,
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": row.client_id,
        "redirect_uri": base_url + "/lti/launch",
        "state": state,
        "nonce": nonce,
        "login_hint": login_hint,
    }
    query.update({k: params[k] for k in PASSED_ON if params.get(k)})
    auth = urlsplit(row.auth_login_url)
    sep = "&" if auth.query else "?"
    return LoginPlan(
        row.auth_login_url + sep + urlencode(query),
        secret,
        state,
        storage_target,
        f"{auth.scheme}://{auth.netloc}",
    )


def _registration(tool_conf: DbToolConf, iss: str, client_id: str) -> LtiRegistration:
    if client_id:
        row = tool_conf.row(iss, client_id)
        if row is None:
            raise LaunchRejected("unknown_registration")
        return row
    rows = tool_conf.session.scalars(
        select(LtiRegistration).where(LtiRegistration.issuer == iss, LtiRegistration.status == "active")
    ).all()
    if len(rows) > 1:
        raise LaunchRejected("client_id_required")
    if not rows:
        raise LaunchRejected("unknown_registration")
    return rows[0]
