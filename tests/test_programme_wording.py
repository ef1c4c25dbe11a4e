"""A programme's own regional wording: HR writes a region's words, previews them (nothing kept), saves them,
and the pages and messages of that region's people use them."""

from __future__ import annotations

from plugin.models import Programme
from plugin.services import letters
from tests.admin_world import add_employee, add_pair, add_programme
from tests.test_connection_pages import admin, post  # noqa: F401 (fixture)


def test_hr_previews_then_saves_a_regions_wording_and_messages_use_it(admin):  # noqa: F811
    client, tenant = admin
    programme = add_programme(tenant, "Hub Japan")
    mentor = add_employee(tenant, 1, country="JP", region="APAC", display_name="Yui Tanaka")
    executive = add_employee(tenant, 2, country="DE", job_level=8, display_name="Dieter Braun")
    pair = add_pair(tenant, programme, mentor, executive)
    tenant.session.commit()
    page = client.get(f"/admin/programmes/{programme.id}/wording")
    assert page.status_code == 200 and 'name="japan__relationship"' in page.get_data(as_text=True)
    assert f"/admin/programmes/{programme.id}/wording" in client.get(f"/admin/programmes/{programme.id}/").get_data(
        as_text=True
    )
    words = {"japan__relationship": "Mirai dialogue", "japan__mentee": "dialogue host"}
    preview = post(client, f"/admin/programmes/{programme.id}/wording", action="preview", **words)
    shown = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Preview: not saved yet" in shown and "Mirai dialogue" in shown
    assert tenant.get(Programme, programme.id).framing in ({}, None)
    too_long = post(client, f"/admin/programmes/{programme.id}/wording", action="save", dach__mentor="x" * 81)
    assert too_long.status_code == 400 and tenant.get(Programme, programme.id).framing in ({}, None)
    saved = post(client, f"/admin/programmes/{programme.id}/wording", action="save", **words)
    assert saved.status_code == 303
    tenant.session.expire_all()
    stored = tenant.get(Programme, programme.id)
    assert stored.framing == {"japan": {"relationship": "Mirai dialogue", "mentee": "dialogue host"}}
    letter = letters.announcement(stored, pair, mentor, executive, "mentee", "ja", None, "https://x.test/me/")
    assert "Mirai dialogue" in letter.subject and "dialogue host" in letter.text()
    german = letters.announcement(stored, pair, executive, mentor, "mentor", "de", None, "https://x.test/me/")
    assert "Mirai" not in german.subject  # another region keeps its own words
    kept = client.get(f"/admin/programmes/{programme.id}/wording").get_data(as_text=True)
    assert 'value="Mirai dialogue"' in kept
    cleared = post(client, f"/admin/programmes/{programme.id}/wording", action="save")
    assert cleared.status_code == 303
    tenant.session.expire_all()
    assert tenant.get(Programme, programme.id).framing == {}
