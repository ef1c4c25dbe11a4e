"""A programme's topics come from the topic catalogue (the one that labels goals and expertise): the set-up
wizard offers its topics to tick, and the wizard and the API refuse a topic that is not in it."""

from __future__ import annotations

from tests.test_api_programmes import acme, api  # noqa: F401 (fixtures)
from tests.test_connection_pages import CSRF, admin, post  # noqa: F401 (fixture)


def test_the_basics_step_offers_the_catalogues_topics_translated(admin):  # noqa: F811
    client, _ = admin
    page = client.get("/admin/programmes/new?step=basics").get_data(as_text=True)
    assert 'name="topics" value="ai"' in page and "Digital and AI" in page
    assert 'type="text" id="topics"' not in page  # no free text


def test_ticked_topics_are_kept_and_an_unknown_one_is_refused_with_its_name(admin):  # noqa: F811
    client, _ = admin
    refused = post(client, "/admin/programmes/new?step=basics", name="Topics", topics="ai, Crypto trading")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Pick topics from the catalogue" in text and "Crypto trading" in text
    ticked = client.post(
        "/admin/programmes/new?step=basics",
        data={"name": "Topics", "topics": ["sustainability", "ai"], "csrf_token": CSRF},
    )
    assert ticked.status_code == 303
    page = client.get("/admin/programmes/new?step=basics").get_data(as_text=True)
    assert 'value="ai" checked' in page and 'value="sustainability" checked' in page
    assert 'value="inclusion" checked' not in page


def test_the_api_refuses_a_topic_outside_the_catalogue_and_stores_nothing(api):  # noqa: F811
    refused = api("POST", "/programmes", json={"name": "Free text", "topics": ["ai", "Blockchain"]})
    assert refused.status_code == 400
    assert "Blockchain" in str(refused.json["error"]["fields"]["topics"])
    assert api("GET", "/programmes").json == []
    made = api("POST", "/programmes", json={"name": "Catalogue", "topics": ["Inclusion", "ai"]})
    assert made.status_code == 201, made.json
    assert made.json["topics"] == ["ai", "inclusion"]
    changed = api("PATCH", f"/programmes/{made.json['id']}", json={"topics": ["astrology"]})
    assert changed.status_code == 400
    assert _stored(api, made.json["id"]) == ["ai", "inclusion"]


def _stored(api, programme_id):  # noqa: F811
    return api("GET", f"/programmes/{programme_id}").json["topics"]
