"""Operations: /healthz reports database and Redis, 503 when either is down; /metrics; request ids."""

from plugin import create_app
from plugin.config import from_environment
from plugin.jobs.connection import stop_embedded


def test_healthz_ok_when_database_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["checks"]["database"]["ok"] and response.json["checks"]["redis"]["ok"]


def test_healthz_503_when_embedded_redis_is_stopped(tmp_path, database_url):
    settings = from_environment({}, instance_path=str(tmp_path / "i"), database_url=database_url)
    client = create_app(settings).test_client()
    assert client.get("/healthz").status_code == 200
    stop_embedded(settings.embedded_redis_path)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"]["ok"] is False
    assert response.json["checks"]["database"]["ok"] is True


def test_healthz_503_when_redis_server_is_unreachable(tmp_path, database_url):
    settings = from_environment(
        {}, instance_path=str(tmp_path), database_url=database_url, redis_url="redis://127.0.0.1:1/0"
    )
    response = create_app(settings).test_client().get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "degraded"


def test_healthz_503_when_database_is_unreachable(tmp_path):
    settings = from_environment({}, instance_path=str(tmp_path), database_url="postgresql+psycopg://127.0.0.1:1/nope")
    response = create_app(settings).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["database"]["ok"] is False


def test_metrics_count_requests_by_endpoint(client):
    client.get("/healthz")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'flipside_http_requests_total{endpoint="health.healthz",method="GET",status="200"}' in body


def test_request_id_is_echoed_or_created(client):
    assert client.get("/", headers={"X-Request-ID": "abcdef12-3456"}).headers["X-Request-ID"] == "abcdef12-3456"
    generated = client.get("/", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert len(generated) == 32


def test_landing_page_says_what_flipside_is(client):
    page = client.get("/").get_data(as_text=True)
    assert "Reverse mentoring" in page
