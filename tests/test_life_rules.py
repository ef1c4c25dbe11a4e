"""Programme-life rules in the domain core: cadence, topics per period, the credential's shape."""

from datetime import UTC, date, datetime

from plugin.domain import cadence, conversation
from plugin.domain.credential import Award, document


def test_only_finished_periods_count_as_due():
    start = date(2026, 1, 5)
    day_13 = cadence.cadence_status(start, date(2026, 1, 18), 14, [], date(2026, 7, 5))
    day_14 = cadence.cadence_status(start, date(2026, 1, 19), 14, [], date(2026, 7, 5))
    assert (day_13.expected, day_14.expected) == (0, 1)
    assert day_14.next_due == date(2026, 2, 1)


def test_an_extension_moves_the_end_by_its_weeks():
    assert cadence.end_date(date(2026, 1, 5), 26, 0, 12) == date(2026, 7, 5)
    assert cadence.end_date(date(2026, 1, 5), 26, 1, 12) == date(2026, 9, 27)


def test_topics_rotate_through_the_programme_list():
    topics = ["ai", "social-media", "sustainability"]
    assert [conversation.period_topics(topics, p) for p in range(3)] == [
        ["ai", "social-media"],
        ["sustainability", "ai"],
        ["social-media", "sustainability"],
    ]
    assert conversation.period_topics([], 4) == []


def test_the_credential_has_the_open_badges_3_shape():
    award = Award(
        uid="abc123",
        url="https://f.example/credentials/abc123",
        issuer_url="https://f.example/issuers/x",
        issuer_name="Acme",
        recipient_name="Ada Lovelace",
        recipient_email="Ada@Example.com",
        role="mentee",
        role_label="Reverse mentoring: mentee",
        programme="Flip",
        relationship="reverse mentoring",
        issued_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    doc = document(award)
    assert doc["@context"][1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/context")
    assert doc["credentialSubject"]["achievement"]["type"] == ["Achievement"]
    email = doc["credentialSubject"]["identifier"][1]
    assert email["hashed"] is True and "ada@example.com" not in str(doc).lower()
    assert doc["validFrom"] == "2026-03-01T00:00:00Z"
