"""/lti/login, /lti/launch, /lti/jwks.json: thin views over login.py, validation.py and landing.py."""

from __future__ import annotations

import logging
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, make_response, redirect, render_template, request, session
from flask_babel import force_locale, get_locale, gettext, refresh
from pylti1p3.contrib.flask import FlaskRequest
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from ..connectors.http import make_session
from ..db import db
from ..domain import language
from ..domain.language import N_
from ..domain.roles import COORDINATOR, HR_ADMIN
from ..services import completion, course_rosters
from ..services.tenant import Tenant
from . import keys, nrps
from .dynamic_registration import canvas_developer_key, read_invitation
from .dynamic_registration import register as register_platform
from .landing import NoEmployeeMatch, sign_in
from .login import begin_login
from .rejection import LaunchRejected
from .runtime import base_url, launch_store, lookup_cache, tool_conf, vault
from .validation import DEEP_LINKING, StrictMessageLaunch

log = logging.getLogger(__name__)
bp = Blueprint("lti", __name__, url_prefix="/lti")
BROWSER_COOKIE = "flipside_lti_browser"
HTTP = make_session()  # one pool per process for JWKS and service calls made during a launch
COOKIE_SECONDS = 3600
# Real id_tokens are 2-10 KB (Moodle with NRPS, AGS and custom claims is about 4 KB); anything far larger is
# refused before a byte of it is decoded, so a validly signed 1 MB token never reaches the parser or Redis.
MAX_ID_TOKEN_BYTES = 32 * 1024
HOME = {HR_ADMIN: "/admin/", COORDINATOR: "/admin/programmes/"}
# The login page's words, translated once per locale and process (the catalogues are fixed while it runs)
LOGIN_WORDS = {
    "opening": N_("Opening Flipside…"),
    "blocked": N_("Your browser blocks the cookies Flipside needs inside the course page."),
    "new_window": N_("Open Flipside in a new window"),
    "continue": N_("Continue to your LMS sign-in"),
}
_LOGIN_WORDS_BY_LOCALE: dict[str, dict[str, str]] = {}


def _params() -> dict:
    return (request.form if request.method == "POST" else request.args).to_dict()


@bp.route("/login", methods=["GET", "POST"])
def login():
    params = _params()
    plan = begin_login(params, tool_conf(), launch_store(), base_url(), request.cookies.get(BROWSER_COOKIE))
    # Straight from the Jinja environment: no context processors or signals on the launch's hot path.
    # The launch's own locale is only known after it; the browser's language words this one page.
    if request.cookies.get(current_app.config["SESSION_COOKIE_NAME"]):
        refresh()  # someone signed in: Flask-Babel's choice for them (the app-wide refresh skips this view)
        chosen = str(get_locale() or language.DEFAULT)
    else:  # nobody signed in: the browser's languages alone decide, the same answer for the same header
        chosen = _browser_locale(request.headers.get("Accept-Language", ""))
    locale = language.html_lang(chosen)
    page = current_app.jinja_env.get_template("lti/login.html").render(
        plan=plan,
        params=params,
        words=_login_words(chosen),
        html_lang=locale,
        html_dir=language.direction(locale),
    )
    response = make_response(page)
    _set_browser_cookie(response, plan.browser_secret)
    return response


@lru_cache(maxsize=512)
def _browser_locale(accept_language: str) -> str:
    """The catalogue (Babel id) a signed-out browser with this Accept-Language header reads, as
    web/locale.py chooses it (bounded: a header is only a few hundred bytes)."""
    browser = parse_accept_header(accept_language, LanguageAccept).best_match(list(language.LOCALES))
    return language.babel_id(language.first_supported(browser))


def _login_words(locale: str) -> dict[str, str]:
    """LOGIN_WORDS in this Babel locale (the template escapes them like any value)."""
    words = _LOGIN_WORDS_BY_LOCALE.get(locale)
    if words is None:
        with force_locale(locale):
            words = _LOGIN_WORDS_BY_LOCALE[locale] = {key: gettext(text) for key, text in LOGIN_WORDS.items()}
    return words


def _set_browser_cookie(response, secret: str) -> None:
    """Secure; SameSite=None; Partitioned (CHIPS) so the cookie survives the cross-site form_post from the
    LMS and works inside its iframe; plain Lax on an http development URL, where Secure is impossible."""
    secure = base_url().startswith("https://")
    response.set_cookie(
        BROWSER_COOKIE,
        secret,
        max_age=COOKIE_SECONDS,
        path="/lti/",
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
        partitioned=secure,
    )


@bp.post("/launch")
def launch():
    form = request.form.to_dict()
    if len(form.get("id_token", "")) > MAX_ID_TOKEN_BYTES:
        raise LaunchRejected("token_too_large")
    if form.get("error"):
        raise LaunchRejected("platform_error", form.get("error", "")[:40])
    secret = request.cookies.get(BROWSER_COOKIE) or form.get("lti_storage_proof")
    store = launch_store()
    if not secret:
        record = store.peek(form.get("state", ""))
        if record is not None and record.storage_target:
            registration = tool_conf().row(record.issuer, record.client_id)
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(registration.auth_login_url)) if registration else ""
            refresh()  # a page with text: its own locale (web/hot_path.py)
            return render_template(
                "lti/storage_launch.html",
                form=form,
                storage_target=record.storage_target,
                platform_origin=origin,
            )
    message = StrictMessageLaunch(
        FlaskRequest(request_data=form),
        tool_conf(),
        store=store,
        browser_secret=secret,
        requests_session=HTTP,
    ).validate()
    claims = message.get_launch_data()
    try:
        user = sign_in(db.lazy_session, message.registration_row_id, message.get_launch_id(), claims, lookup_cache())
    except (LaunchRejected, NoEmployeeMatch):
        store.forget_launch(message.get_launch_id())  # a refused launch leaves nothing behind in Redis
        raise
    session.clear()
    session["user"] = user.as_session()
    if user.employee_id:  # where the programme's course gradebook is, for the completion write-back
        tenant = Tenant(db.lazy_session, user.organisation_id)  # no database session unless a query runs
        if completion.remember_course(tenant, user.employee_id, message.registration_row_id, claims):
            db.session.commit()
    if user.lms_role in (HR_ADMIN, COORDINATOR) and user.organisation_id:  # instructor or admin: roster
        tenant = Tenant(db.session, user.organisation_id)
        roster = nrps.remember(tenant, message.registration_row_id, claims)
        if roster is not None:
            course_rosters.ask_import(tenant, roster)
            db.session.commit()
    if claims.get("https://purl.imsglobal.org/spec/lti/claim/message_type") == DEEP_LINKING:
        return redirect(f"/lti/deep-link/{message.get_launch_id()}", code=303)
    return redirect(HOME.get(user.role, "/me/"), code=303)


@bp.get("/jwks.json")
def jwks():
    response = jsonify(keys.jwks(db.session, vault()))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.errorhandler(LaunchRejected)
@bp.errorhandler(NoEmployeeMatch)
def rejected(err):
    """A clear page for the person, a reason code (never the token) for the log."""
    log.warning("lti message rejected", extra={"reason": err.code, "path": request.path})
    refresh()  # a page with text: its own locale (web/hot_path.py)
    return render_template("lti/rejected.html", err=err), err.status


@bp.get("/register")
def dynamic_registration():
    """LTI Dynamic Registration: the LMS opens this in a dialog; we close it with org.imsglobal.lti.close."""
    settings = current_app.config["FLIPSIDE"]
    org_id = read_invitation(settings.secret_key, request.args.get("org", ""))
    done = register_platform(
        db.session,
        make_session(),
        base_url=base_url(),
        openid_configuration=request.args.get("openid_configuration", ""),
        registration_token=request.args.get("registration_token", ""),
        organisation_id=org_id,
        production=settings.production,
    )
    log.info("lti dynamic registration", extra={"registration_id": done.registration_id, "product": done.product})
    return render_template("lti/registered.html", done=done)


@bp.get("/canvas.json")
def canvas_json():
    return jsonify(canvas_developer_key(base_url()))
