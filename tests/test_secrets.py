"""Secrets at rest: encrypted in the database, rotated to the newest key, never in logs or API output."""

import json
import logging

import pytest
from sqlalchemy import text

from plugin import create_app
from plugin.config import from_environment
from plugin.logs import JsonFormatter, redact
from plugin.models import Connection
from plugin.services import connections
from plugin.services.secrets import reencrypt_all
from plugin.vault import SecretUnreadable, Vault, generate_key

API_KEY = "bamboo-api-key-7f3a9c1e55d04b2e"
WORKDAY = {"host": "wd2-impl-services1.workday.com", "tenant": "acme"}
REFRESH = "refresh-token-88d1c0ffee"


def test_credentials_are_ciphertext_in_the_database(make_org, vault, session):
    tenant = make_org()
    conn = connections.create_connection(
        tenant, vault, "bamboohr", settings={"company": "acme"}, credentials={"api_key": API_KEY}
    )
    connections.store_tokens(conn, vault, {"refresh_token": REFRESH})
    session.commit()
    raw = session.execute(text("SELECT credentials_ciphertext, tokens_ciphertext FROM connection")).one()
    assert API_KEY.encode() not in bytes(raw[0]) and REFRESH.encode() not in bytes(raw[1])
    assert connections.credentials(conn, vault) == {"api_key": API_KEY}
    assert connections.tokens(conn, vault)["refresh_token"] == REFRESH


def test_key_rotation_reencrypts_everything_under_the_newest_key(make_org, settings, session):
    old_key, new_key = settings.encryption_keys[0], generate_key()
    old_vault = Vault([old_key])
    tenant = make_org()
    conn = connections.create_connection(
        tenant, old_vault, "workday", settings=WORKDAY, credentials={"client_secret": "cs-1"}
    )
    connections.store_tokens(conn, old_vault, {"refresh_token": REFRESH})
    session.commit()

    both = Vault([new_key, old_key])
    assert reencrypt_all(session, both) == 2
    only_new = Vault([new_key])
    stored = session.get(Connection, conn.id)
    assert connections.credentials(stored, only_new) == {"client_secret": "cs-1"}
    assert connections.tokens(stored, only_new) == {"refresh_token": REFRESH}
    with pytest.raises(SecretUnreadable):
        connections.credentials(stored, old_vault)


def test_first_key_encrypts_and_all_decrypt():
    k1, k2 = generate_key(), generate_key()
    token = Vault([k2]).encrypt("s")
    assert Vault([k1, k2]).decrypt(token) == "s"
    assert Vault([k1]).rotate(Vault([k1]).encrypt("t")) != token
    with pytest.raises(SecretUnreadable):
        Vault([k1]).decrypt(token)


def test_connection_view_and_repr_hide_secrets(make_org, vault, session):
    tenant = make_org()
    conn = connections.create_connection(
        tenant, vault, "bamboohr", settings={"company": "acme"}, credentials={"api_key": API_KEY}
    )
    shown = json.dumps(connections.view(conn).__dict__) + repr(conn) + repr(vault)
    assert API_KEY not in shown
    assert connections.view(conn).has_credentials is True


def test_logs_never_carry_secrets_tokens_or_emails(caplog):
    logger = logging.getLogger("flipside.test")
    formatter = JsonFormatter()
    with caplog.at_level(logging.INFO, logger="flipside.test"):
        logger.info(
            "calling vendor with Authorization: Bearer %s for ana.silva@example.test",
            API_KEY,
            extra={"api_key": API_KEY, "payload": {"refresh_token": REFRESH, "n": 1}},
        )
        logger.info("token exchange body grant_type=refresh_token&refresh_token=%s&client_secret=x9", REFRESH)
    lines = [formatter.format(r) for r in caplog.records]
    joined = "\n".join(lines)
    assert API_KEY not in joined and REFRESH not in joined and "ana.silva@example.test" not in joined
    assert json.loads(lines[0])["payload"] == {"refresh_token": "[redacted]", "n": 1}


def test_error_pages_do_not_echo_secrets(tmp_path, database_url):
    app = create_app(from_environment({}, instance_path=str(tmp_path), database_url=database_url))

    @app.get("/boom")
    def boom():
        from plugin.errors import FatalError

        raise FatalError("vendor refused the request")

    response = app.test_client().get("/boom", headers={"Authorization": f"Bearer {API_KEY}"})
    assert response.status_code == 502 and API_KEY.encode() not in response.data


def test_redact_masks_jwts_and_fernet_tokens():
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQ"
    fernet = Vault([generate_key()]).encrypt("x").decode()
    out = redact(f"id_token {jwt} and {fernet}")
    assert jwt not in out and fernet not in out


def test_secrets_reencrypt_command_reports_count(make_org, vault, session, settings):
    from click.testing import CliRunner

    from plugin.cli import main

    tenant = make_org()
    connections.create_connection(
        tenant,
        vault,
        "moodle",
        settings={"base_url": "https://moodle.example.test"},
        credentials={"token": "wstoken-abc"},
    )
    session.commit()
    env = {
        "DATABASE_URL": settings.resolved_database_url,
        "FLIPSIDE_INSTANCE_PATH": settings.instance_path,
        "FLIPSIDE_ENCRYPTION_KEYS": f"{generate_key()},{settings.encryption_keys[0]}",
    }
    result = CliRunner().invoke(main, ["secrets", "reencrypt"], env=env)
    assert result.exit_code == 0, result.output
    assert "re-encrypted 1 secrets" in result.output
