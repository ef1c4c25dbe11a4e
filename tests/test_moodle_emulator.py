"""The Moodle emulator replays every recorded exchange of the real Moodle 4.3 site exactly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from plugin.emulators import moodle
from plugin.emulators.moodle_site import MoodleSite

RECORDINGS = Path(__file__).parent / "fixtures" / "http" / "moodle"
MASKS = re.compile(r"<(TOKEN|STUDENT_TOKEN|PASSWORD|USER_PRIVATE_ACCESS_KEY)(: [^>]*)?>")
PASSWORD = "Probe-Pass-1"  # the probe site's password for admin and student1
ALL = sorted(p.name for p in RECORDINGS.glob("*.json") if p.name.startswith(("ws__", "login__token__")))


def _drop_courses(*ids):
    def setup(site: MoodleSite):
        for cid in ids:
            site.courses.pop(cid)
            site.enrolments = {k: v for k, v in site.enrolments.items() if k[0] != cid}

    return setup


def _drop_group(site: MoodleSite):
    site.groups.pop(2)
    site.members = {m for m in site.members if m[0] != 2}


def _drop_users(site: MoodleSite):
    for uid in (4, 5):
        site.users.pop(uid)
    site.enrolments = {k: v for k, v in site.enrolments.items() if k[1] not in (4, 5)}


def _self_completed(aggregated: bool):
    def setup(site: MoodleSite):
        site.completion[(2, 3)] = {"done_at": 1795264173, "completed": aggregated}

    return setup


# The site as it was when each exchange was recorded (the probe site is its final state).
SETUP = {
    "ws__core_course_create_courses__ok.json": _drop_courses(3, 4),
    "ws__core_course_get_courses__all.json": _drop_courses(4),
    "ws__core_enrol_get_enrolled_users__ok.json": _drop_group,
    "ws__core_group_create_groups__ok.json": _drop_group,
    "ws__core_user_create_users__ok.json": _drop_users,
    "ws__core_completion_get_course_completion_status__completed.json": _self_completed(True),
    "ws__core_completion_get_course_completion_status__criteria_done_before_cron.json": _self_completed(False),
    "ws__core_completion_mark_course_self_completed__again.json": _self_completed(False),
}
# What the masked values stood for in each request.
SUBSTITUTE = {
    "login__token__invalidlogin.json": {"<PASSWORD>": "wrong-password"},
    "ws__core_user_create_users__weak_password.json": {"<PASSWORD: 3 lower-case letters>": "abc"},
}


@pytest.fixture(scope="module")
def emulator():
    emu = moodle.start()
    yield emu
    emu.stop()


def _pattern(expected: str) -> re.Pattern:
    parts = MASKS.split(expected)
    literal = [re.escape(p) for p in parts[::3]]
    return re.compile("^" + ".+?".join(literal) + "$", re.S)


def _same(expected, actual) -> bool:
    if isinstance(expected, str) and MASKS.search(expected):
        return isinstance(actual, str) and bool(_pattern(expected).match(actual))
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(_same(v, actual[k]) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(_same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return expected == actual and type(expected) is type(actual)


@pytest.mark.parametrize("name", ALL)
def test_replays_recorded_exchange(emulator, name):
    recorded = json.loads((RECORDINGS / name).read_text())
    emulator.site = MoodleSite.probe()
    emulator.site.debug = name.endswith("__debug.json")
    SETUP.get(name, lambda site: None)(emulator.site)
    subs = {"<PASSWORD>": PASSWORD, **SUBSTITUTE.get(name, {})}
    form = {k: subs.get(v, v) for k, v in recorded["request"]["form"].items()}
    response = requests.post(emulator.url + recorded["request"]["path"], data=form, timeout=10)

    expected = recorded["response"]
    assert response.status_code == expected["status"]
    sent = dict(response.raw._original_response.msg.items())  # header names as spelt on the wire
    for header, value in expected["headers"].items():
        assert sent.get(header) == value, header
    if "body_raw" in expected:
        assert response.text == expected["body_raw"]
    elif isinstance(expected["body"], str):
        assert _pattern(expected["body"]).match(response.text), response.text[:400]
    else:
        assert _same(expected["body"], response.json()), response.text[:600]
        assert "\\/" in response.text or "/" not in json.dumps(expected["body"])  # PHP escapes slashes


def test_every_recorded_web_service_exchange_is_replayed():
    """The replay covers every web-service recording: a new one cannot be skipped silently.

    The folder also holds the LTI exchanges of the same site, which the LTI tests replay."""
    assert len(ALL) == 56
    others = {p.name for p in Path(RECORDINGS).iterdir() if p.suffix == ".json"} - set(ALL)
    assert all(name.startswith("lti__") for name in others), others


def test_completion_cron_skips_rows_marked_in_the_same_second(emulator):
    emulator.site = MoodleSite.probe()
    emulator.site.mark_self_completed(2, 3)
    marked = emulator.site.completion[(2, 3)]["done_at"]
    assert emulator.site.run_completion_cron(started=marked) == 0
    assert emulator.site.run_completion_cron(started=marked + 1) == 1
