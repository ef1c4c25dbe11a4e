"""Recognition: one credential per partner, verifiable with the tool's public key, failing when tampered."""

import base64
import json
from datetime import date

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from plugin.services import completion, credentials, sessions
from tests.factories import make_active_pair, make_person

BASE = "https://flipside.example"


@pytest.fixture
def tool_keys(monkeypatch):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key())) | {"kid": "k1", "alg": "RS256", "use": "sig"}
    monkeypatch.setattr(credentials.KEYS, "signing", lambda: ("k1", pem))
    monkeypatch.setattr(credentials.KEYS, "jwks", lambda: {"keys": [jwk]})


def completed(tenant):
    mentor = make_person(tenant, 1, country="BR", first_name="Bia", last_name="Souza")
    mentee = make_person(tenant, 2, country="JP", first_name="Kenji", last_name="Sato")
    pair = make_active_pair(tenant, agreed=True, mentor=mentor, mentee=mentee)
    completion.set_rule(tenant, pair.programme_id, 1, False)
    held = sessions.log_session(tenant, pair.id, mentor.id, date.today(), 45, [])
    sessions.confirm_session(tenant, held.id, mentee.id)
    completion.complete_if_done(tenant, pair.id)
    return pair


def test_both_partners_receive_the_same_recognition_naming_their_role(make_org, tool_keys):
    tenant = make_org()
    pair = completed(tenant)
    mentor_vc, mentee_vc = credentials.issue_for_pair(tenant, pair.id, BASE)
    assert credentials.issue_for_pair(tenant, pair.id, BASE)[0].uid == mentor_vc.uid  # issued once
    # a Brazilian mentor: the credential in Portuguese, in the Brazilian framing
    assert mentor_vc.document["name"] == "Círculo de insights: líder de insights"
    subject = mentor_vc.document["credentialSubject"]["achievement"]
    assert subject["inLanguage"] == "pt-BR" and subject["description"].startswith("Participou como líder de insights")
    assert mentee_vc.document["name"] == "知識交換パートナーシップ：エグゼクティブパートナー"  # a Japanese executive
    for vc in (mentor_vc, mentee_vc):
        assert vc.document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert vc.document["id"] == f"{BASE}/credentials/{vc.uid}"
        assert credentials.verify_token(vc.jws, vc).valid


def tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["vc"]["credentialSubject"]["role"] = "mentee"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_tampered_credential_fails_verification(make_org, tool_keys):
    tenant = make_org()
    mentor_vc, _ = credentials.issue_for_pair(tenant, completed(tenant).id, BASE)
    result = credentials.verify_token(tampered(mentor_vc.jws))
    assert not result.valid and "signature" in result.reason


def test_hr_revokes_with_a_reason_and_verification_says_so(make_org, tool_keys):
    tenant = make_org()
    mentor_vc, _ = credentials.issue_for_pair(tenant, completed(tenant).id, BASE)
    credentials.revoke(tenant, mentor_vc.uid, "Issued to the wrong person", "hr:7")
    result = credentials.verify_token(mentor_vc.jws, mentor_vc)
    assert (result.valid, result.revoked, result.reason) == (False, True, "Issued to the wrong person")


def test_the_public_page_verifies_and_offers_the_download(client, make_org, tool_keys):
    tenant = make_org()
    mentor_vc, _ = credentials.issue_for_pair(tenant, completed(tenant).id, BASE)
    tenant.session.commit()
    answer = client.get(f"/credentials/{mentor_vc.uid}", headers={"Accept": "application/json"}).get_json()
    assert answer["valid"] and answer["credential"]["name"] == "Círculo de insights: líder de insights"
    assert client.get(f"/credentials/{mentor_vc.uid}.jwt").get_data(as_text=True) == mentor_vc.jws
    credentials.revoke(tenant, mentor_vc.uid, "Duplicate", "hr:1")
    tenant.session.commit()
    page = client.get(f"/credentials/{mentor_vc.uid}").get_data(as_text=True)
    assert "revoked" in page and "Duplicate" in page


def test_the_credential_verifies_with_the_public_key_from_the_tools_jwks(client, make_org):
    from plugin.domain.credential import CredentialInvalid, verify

    tenant = make_org()
    mentor_vc, mentee_vc = credentials.issue_for_pair(tenant, completed(tenant).id, BASE)  # the tool's own key
    tenant.session.commit()
    published = client.get("/lti/jwks.json").get_json()
    assert verify(mentee_vc.jws, published)["name"] == "知識交換パートナーシップ：エグゼクティブパートナー"
    with pytest.raises(CredentialInvalid, match="signature"):
        verify(tampered(mentor_vc.jws), published)
