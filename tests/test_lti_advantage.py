"""LTI Advantage against a Moodle-shaped emulator: NRPS paging, AGS line item + score, tokens, deep links."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

import jwt
import pytest
import responses

from plugin.db import db
from plugin.lti import keys
from plugin.lti.ags import ensure_line_item, post_score, programme_tag
from plugin.lti.nrps import import_roster
from plugin.models import Employee
from plugin.models.lti import LtiUserLink
from plugin.services.organisations import create_organisation
from plugin.services.tenant import Tenant
from tests.lti_support import BASE, INSTRUCTOR, launch, login

MOODLE = "http://127.0.0.1:8080"
TOKEN_URL = MOODLE + "/mod/lti/token.php"
MEMBERS = MOODLE + "/mod/lti/services.php/CourseSection/2/bindings/1/memberships"
# An opaque next-page URL with upper-case parts: pylti1p3 2.0.0 lower-cases it and breaks paging.
NEXT = MEMBERS + "?limit=2&from=2&Sig=AbCdEf"
LINEITEMS = MOODLE + "/mod/lti/services.php/2/lineitems?type_id=1"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


class MoodleServices:
    """Token endpoint, NRPS and AGS as Moodle 4.3 answers them (JSON as text/html, bare arrays, Link)."""

    def __init__(self, tool_jwks: dict, client_id: str):
        self.tool_jwks, self.client_id = tool_jwks, client_id
        self.tokens, self.jtis, self.items, self.scores = [], set(), [], []

    def token(self, request):
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        header = jwt.get_unverified_header(form["client_assertion"])
        jwk = next(k for k in self.tool_jwks["keys"] if k["kid"] == header["kid"])
        claims = jwt.decode(form["client_assertion"], jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=TOKEN_URL)
        assert claims["iss"] == claims["sub"] == self.client_id and claims["exp"] - claims["iat"] <= 300
        assert claims["jti"] not in self.jtis
        self.jtis.add(claims["jti"])
        self.tokens.append(form["scope"])
        return (
            200,
            {"Content-type": "text/html; charset=utf-8"},
            json.dumps(
                {
                    "access_token": f"tok-{len(self.tokens)}",
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "scope": form["scope"],
                }
            ),
        )

    def members(self, request):
        assert request.headers["Authorization"].startswith("Bearer tok-")
        member = {"status": "Active", "name": "x"}
        if request.url == NEXT:
            page = [{**member, "user_id": "5", "roles": ["Learner"]}]  # nobody in the HRIS: unmatched
            return 200, {}, json.dumps({"id": MEMBERS, "members": page})
        assert request.url == MEMBERS, request.url
        page = [
            {**member, "user_id": "3", "roles": ["Learner"], "email": "student1@example.com"},
            {**member, "user_id": "4", "roles": ["Instructor"], "lis_person_sourcedid": "T-001"},
        ]
        return 200, {"Link": f'<{NEXT}>; rel="next"'}, json.dumps({"id": MEMBERS, "members": page})

    def lineitems(self, request):
        if request.method == "GET":
            return 200, {}, json.dumps(self.items)
        item = json.loads(request.body)
        item["id"] = f"{MOODLE}/mod/lti/services.php/2/lineitems/{len(self.items) + 10}/lineitem?type_id=1"
        self.items.append(item)
        return 201, {}, json.dumps(item)

    def score(self, request):
        if request.headers["Content-Type"] != SCORE_TYPE:
            return 400, {}, json.dumps({"status": 400, "reason": "No handler found"})
        self.scores.append((request.url, json.loads(request.body)))
        return 200, {"Content-Type": SCORE_TYPE}, ""


@pytest.fixture
def moodle(tool, platform):
    org = create_organisation(db.session, "acme", "Acme")
    for sid, email, number in (("e3", "student1@example.com", None), ("e4", "teacher@corp.example", "T-001")):
        db.session.add(
            Employee(
                organisation_id=org.id,
                source_system="hris",
                source_id=sid,
                first_name=sid,
                last_name="X",
                work_email=email,
                employee_number=number,
            )
        )
    db.session.commit()
    reg = platform.register(db.session, organisation_ids=[org.id])
    services = MoodleServices(keys.jwks(db.session, tool.extensions["flipside.vault"]), platform.client_id)
    reg.auth_token_url = TOKEN_URL
    db.session.commit()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, TOKEN_URL, callback=services.token)
        mock.add_callback(responses.GET, re.compile(re.escape(MEMBERS) + ".*"), callback=services.members)
        mock.add_callback(responses.GET, LINEITEMS, callback=services.lineitems)
        mock.add_callback(responses.POST, LINEITEMS, callback=services.lineitems)
        mock.add_callback(responses.POST, re.compile(r".*/lineitem/scores\?type_id=1$"), callback=services.score)
        mock.add_callback(responses.GET, platform.jwks_url, callback=lambda _r: (200, {}, json.dumps(platform.jwks())))
        yield services, Tenant(db.session, org.id), reg


def test_roster_import_follows_opaque_next_links_and_links_employees(moodle):
    services, tenant, reg = moodle
    result = import_roster(tenant, reg.id, MEMBERS)
    assert (result.members, result.linked, result.unmatched) == (3, 2, ["5"])
    assert result.roles == {"3": "participant", "4": "coordinator", "5": "participant"}
    links = {link.lms_user_id: link.method for link in tenant.all(LtiUserLink)}
    assert links == {"3": "nrps", "4": "nrps"}


def test_line_item_is_found_by_tag_and_created_once(moodle):
    services, _tenant, reg = moodle
    first = ensure_line_item(reg.id, LINEITEMS, programme_id=7, label="Reverse mentoring 2026")
    again = ensure_line_item(reg.id, LINEITEMS, programme_id=7, label="Reverse mentoring 2026")
    assert first == again and len(services.items) == 1
    assert services.items[0]["tag"] == programme_tag(7)


def test_score_is_posted_completed_and_fully_graded(moodle):
    services, _tenant, reg = moodle
    item = ensure_line_item(reg.id, LINEITEMS, programme_id=7, label="Reverse mentoring")
    assert post_score(reg.id, item, "3", comment="Programme completed") == 200
    url, score = services.scores[0]
    assert url.endswith("/lineitem/scores?type_id=1")
    assert score["userId"] == "3" and score["activityProgress"] == "Completed"
    assert score["gradingProgress"] == "FullyGraded" and score["scoreGiven"] == 1.0


def test_access_tokens_are_cached_per_scope_set(moodle):
    services, tenant, reg = moodle
    import_roster(tenant, reg.id, MEMBERS)
    import_roster(tenant, reg.id, MEMBERS)
    item = ensure_line_item(reg.id, LINEITEMS, programme_id=1, label="x")
    post_score(reg.id, item, "3")
    assert len(services.tokens) == 2  # one NRPS token, one AGS token, each reused


def test_deep_linking_returns_a_signed_response_with_the_offered_item(tool, platform, moodle):
    client = tool.test_client()
    state, nonce = login(client, platform)
    settings = {
        "deep_link_return_url": "https://lms.test/dl/return",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "data": "opaque-data",
    }
    claims = platform.claims(
        nonce,
        roles=[INSTRUCTOR],
        **{
            "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingRequest",
            "https://purl.imsglobal.org/spec/lti/claim/resource_link": None,
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": settings,
        },
    )
    response = launch(client, platform.sign(claims), state)
    assert response.status_code == 303 and "/lti/deep-link/" in response.headers["Location"]
    page = client.get(response.headers["Location"], base_url=BASE).get_data(as_text=True)
    assert "Flipside reverse mentoring" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    back = client.post(response.headers["Location"], base_url=BASE, data={"csrf_token": token, "item": "0"})
    html = back.get_data(as_text=True)
    assert 'action="https://lms.test/dl/return"' in html
    response_jwt = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    jwk = next(
        k
        for k in keys.jwks(db.session, tool.extensions["flipside.vault"])["keys"]
        if k["kid"] == jwt.get_unverified_header(response_jwt)["kid"]
    )
    body = jwt.decode(response_jwt, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=platform.issuer)
    assert (
        body["iss"] == platform.client_id and body["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-data"
    )
    items = body["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert items[0]["title"] == "Flipside reverse mentoring" and items[0]["url"] == BASE + "/lti/launch"
