"""Configuration: safe embedded defaults, and production refuses to start without its secrets."""

import pytest

from plugin import create_app
from plugin.config import from_environment, normalise_database_url
from plugin.errors import ConfigError
from plugin.vault import generate_key


def test_embedded_defaults_need_no_setup(tmp_path):
    settings = from_environment({}, instance_path=str(tmp_path))
    assert settings.embedded_redis
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'flipside.sqlite3'}"


def test_environment_overrides_defaults():
    settings = from_environment(
        {
            "DATABASE_URL": "postgres://u@db:5432/app",
            "REDIS_URL": "redis://r:6379/1",
            "FLIPSIDE_ENCRYPTION_KEYS": "a, b ,",
            "FLIPSIDE_BASE_URL": "https://x.test/",
        }
    )
    assert settings.resolved_database_url == "postgresql+psycopg://u@db:5432/app"
    assert settings.redis_url == "redis://r:6379/1" and not settings.embedded_redis
    assert settings.encryption_keys == ("a", "b")
    assert settings.base_url == "https://x.test"


@pytest.mark.parametrize(
    "missing, expected",
    [
        ("FLIPSIDE_SECRET_KEY", "FLIPSIDE_SECRET_KEY"),
        ("FLIPSIDE_ENCRYPTION_KEYS", "FLIPSIDE_ENCRYPTION_KEYS"),
        ("FLIPSIDE_BASE_URL", "FLIPSIDE_BASE_URL"),
    ],
)
def test_production_refuses_to_start_and_names_what_is_missing(tmp_path, missing, expected):
    env = {
        "FLIPSIDE_ENV": "production",
        "FLIPSIDE_SECRET_KEY": "s" * 40,
        "FLIPSIDE_ENCRYPTION_KEYS": generate_key(),
        "FLIPSIDE_BASE_URL": "https://flipside.example.com",
        "FLIPSIDE_INSTANCE_PATH": str(tmp_path),
    }
    del env[missing]
    with pytest.raises(ConfigError) as err:
        create_app(from_environment(env))
    assert expected in str(err.value)
    others = {"FLIPSIDE_SECRET_KEY", "FLIPSIDE_ENCRYPTION_KEYS", "FLIPSIDE_BASE_URL"} - {expected}
    assert not any(o in str(err.value) for o in others)


def test_production_rejects_plain_http_base_url(tmp_path):
    env = {
        "FLIPSIDE_ENV": "production",
        "FLIPSIDE_SECRET_KEY": "s" * 40,
        "FLIPSIDE_ENCRYPTION_KEYS": generate_key(),
        "FLIPSIDE_BASE_URL": "http://flipside.example.com",
    }
    with pytest.raises(ConfigError, match="https"):
        from_environment(env).check()


def test_production_starts_when_complete(tmp_path):
    env = {
        "FLIPSIDE_ENV": "production",
        "FLIPSIDE_SECRET_KEY": "s" * 40,
        "FLIPSIDE_ENCRYPTION_KEYS": generate_key(),
        "FLIPSIDE_BASE_URL": "https://flipside.example.com",
        "FLIPSIDE_INSTANCE_PATH": str(tmp_path),
    }
    app = create_app(from_environment(env))
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_bad_encryption_key_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="not a Fernet key"):
        create_app(from_environment({}, instance_path=str(tmp_path), encryption_keys=("nope",)))


def test_short_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgresql://h/d") == "postgresql+psycopg://h/d"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"
