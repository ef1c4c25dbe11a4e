"""Webhooks: only BambooHR's fresh, correctly signed deliveries get through; both payload kinds parse."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest

from plugin.errors import SignatureError, ValidationError
from plugin.webhooks import bamboohr, workday
from plugin.webhooks.signature import bamboohr_signature, verify_bamboohr, verify_basic

KEY = "3f1c9a0d5b7e"
NOW = 1_769_885_000.0
EVENT = {
    "type": "employee.updated",
    "timestamp": "2026-01-31T18:42:00+0000",
    "data": {"companyId": "1", "employeeId": "123", "changedFields": ["firstName", "jobTitle"]},
}
LEGACY = {
    "employees": [
        {
            "action": "Updated",
            "changedFields": ["First Name"],
            "fields": {"First Name": {"value": "Bryony"}},
            "id": "12345",
            "timestamp": "2026-01-31T18:42:00Z",
        },
        {"action": "Deleted", "id": "12346", "timestamp": "2026-01-31T18:43:00Z"},
    ]
}


def signed(body: bytes, timestamp: str = str(int(NOW))) -> dict:
    return {"signature": bamboohr_signature(body, timestamp, KEY), "timestamp": timestamp}


def test_signature_is_hmac_sha256_hex_of_raw_body_then_timestamp():
    import hashlib
    import hmac

    body = json.dumps(EVENT).encode()
    assert (
        bamboohr_signature(body, "1769885000", KEY)
        == hmac.new(KEY.encode(), body + b"1769885000", hashlib.sha256).hexdigest()
    )


def test_a_correct_fresh_delivery_verifies():
    body = json.dumps(EVENT).encode()
    verify_bamboohr(body, **signed(body), private_key=KEY, now=NOW)


def test_a_tampered_body_is_refused():
    body = json.dumps(EVENT).encode()
    headers = signed(body)
    with pytest.raises(SignatureError, match="does not match"):
        verify_bamboohr(body.replace(b"123", b"124"), **headers, private_key=KEY, now=NOW)


def test_a_signature_over_reserialised_json_is_refused():
    body = json.dumps(EVENT, indent=2).encode()
    headers = signed(json.dumps(json.loads(body)).encode())
    with pytest.raises(SignatureError):
        verify_bamboohr(body, **headers, private_key=KEY, now=NOW)


def test_a_stale_delivery_is_refused_even_with_a_good_signature():
    body = json.dumps(EVENT).encode()
    with pytest.raises(SignatureError, match="window"):
        verify_bamboohr(body, **signed(body, str(int(NOW - 301))), private_key=KEY, now=NOW)
    verify_bamboohr(body, **signed(body, str(int(NOW - 299))), private_key=KEY, now=NOW)


@pytest.mark.parametrize(
    "headers",
    [
        {"signature": None, "timestamp": "1"},
        {"signature": "ab", "timestamp": None},
        {"signature": "ab", "timestamp": "yesterday"},
    ],
)
def test_missing_or_malformed_headers_are_refused(headers):
    with pytest.raises(SignatureError):
        verify_bamboohr(b"{}", **headers, private_key=KEY, now=NOW)


def test_event_payload_json():
    [delivery] = bamboohr.parse(json.dumps(EVENT).encode(), "application/json")
    assert (delivery.source_id, delivery.event, delivery.changed_fields) == (
        "123",
        "updated",
        ("firstName", "jobTitle"),
    )
    assert delivery.occurred_at.isoformat() == "2026-01-31T18:42:00+00:00"


def test_a_retried_delivery_has_the_same_key_and_a_different_event_does_not():
    first = bamboohr.parse(json.dumps(EVENT).encode())[0]
    again = bamboohr.parse(json.dumps(EVENT, indent=1).encode())[0]
    created = bamboohr.parse(json.dumps({**EVENT, "type": "employee.created"}).encode())[0]
    assert first.key == again.key != created.key


def test_legacy_field_payload_json_with_value_objects():
    deliveries = bamboohr.parse(json.dumps(LEGACY).encode(), "application/json; charset=utf-8")
    assert [(d.source_id, d.event) for d in deliveries] == [("12345", "updated"), ("12346", "deleted")]
    assert deliveries[0].changed_fields == ("First Name",)


def test_legacy_field_payload_form_encoded():
    form = urlencode(
        [
            ("employees[0][action]", "Created"),
            ("employees[0][id]", "777"),
            ("employees[0][timestamp]", "2026-01-31T18:42:00+0000"),
            ("employees[0][changedFields][0]", "First Name"),
            ("employees[0][fields][First Name][value]", "Bryony"),
            ("employees[1][action]", "Updated"),
            ("employees[1][id]", "778"),
        ]
    ).encode()
    deliveries = bamboohr.parse(form, "application/x-www-form-urlencoded")
    assert [(d.source_id, d.event) for d in deliveries] == [("777", "created"), ("778", "updated")]
    assert deliveries[0].changed_fields == ("First Name",)


def test_event_payload_form_encoded():
    form = urlencode(
        [
            ("type", "employee.deleted"),
            ("timestamp", "2026-01-31T18:42:00Z"),
            ("data[companyId]", "1"),
            ("data[employeeId]", "55"),
        ]
    ).encode()
    [delivery] = bamboohr.parse(form, "application/x-www-form-urlencoded")
    assert (delivery.source_id, delivery.event) == ("55", "deleted")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"hello": "world"}', "application/json"),
        (json.dumps({**EVENT, "data": {"changedFields": []}}).encode(), "application/json"),
        (json.dumps({**EVENT, "type": "employee.exploded"}).encode(), "application/json"),
        (json.dumps({**EVENT, "timestamp": "yesterday"}).encode(), "application/json"),
        (json.dumps({"employees": "everyone"}).encode(), "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"a]=1&&=", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_bodies_are_refused_as_invalid(body, content_type):
    with pytest.raises(ValidationError):
        bamboohr.parse(body, content_type)


NOTIFICATION = b"""<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>
<wd:Worker_Event_Notification xmlns:wd="urn:com.workday/bsvc">
 <wd:Event_Reference><wd:ID wd:type="WID">evt-1</wd:ID></wd:Event_Reference>
 <wd:Business_Process_Type>Termination</wd:Business_Process_Type>
 <wd:Worker_Reference><wd:ID wd:type="Employee_ID">21002</wd:ID>
  <wd:ID wd:type="WID">0c40ee8d</wd:ID></wd:Worker_Reference>
</wd:Worker_Event_Notification></env:Body></env:Envelope>"""


def test_workday_notification_names_the_worker_by_wid():
    [delivery] = workday.parse(NOTIFICATION)
    assert (delivery.source_id, delivery.event) == ("0c40ee8d", "terminated")
    assert workday.parse(NOTIFICATION)[0].key == delivery.key


@pytest.mark.parametrize("body", [b"<not-xml", b"<a><b/></a>", b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'])
def test_workday_malformed_or_entity_laden_notifications_are_refused(body):
    with pytest.raises(ValidationError):
        workday.parse(body)


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_workday_basic_auth():
    verify_basic(basic("workday", "s3cret"), username="workday", secret="s3cret")
    for header in (None, basic("workday", "wrong"), basic("other", "s3cret"), "Bearer x", "Basic !!!"):
        with pytest.raises(SignatureError):
            verify_basic(header, username="workday", secret="s3cret")


def test_a_retry_with_a_new_header_timestamp_keeps_the_key_when_the_body_has_its_own():
    first = bamboohr.parse(json.dumps(EVENT).encode(), signed_at="1000")[0]
    retry = bamboohr.parse(json.dumps(EVENT).encode(), signed_at="1600")[0]
    assert first.key == retry.key


def test_an_entry_without_its_own_timestamp_is_keyed_by_the_signed_time():
    body = json.dumps({"employees": [{"id": "5", "changedFields": ["Department"]}]}).encode()
    assert bamboohr.parse(body, signed_at="1000")[0].key == bamboohr.parse(body, signed_at="1000")[0].key
    assert bamboohr.parse(body, signed_at="1000")[0].key != bamboohr.parse(body, signed_at="1300")[0].key
    assert bamboohr.parse(body, signed_at="1000")[0].event == "updated"
