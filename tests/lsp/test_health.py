import pytest
from django.conf import settings


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200


@pytest.mark.django_db
def test_readyz_reports_each_part(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.django_db
@pytest.mark.skipif(not settings.REDIS_URL, reason="the broker is checked only when configured")
def test_readyz_reaches_the_real_broker(client):
    """With REDIS_URL set, readyz really connects to Redis; a dead address fails as 'broker'."""
    from lsp.celery import app

    assert client.get("/readyz").json()["checks"]["broker"] == "ok"
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]


@pytest.mark.django_db
def test_readyz_names_a_failed_cache(client, monkeypatch):
    from lsp.views import health

    def broken():
        raise ConnectionError("down")

    monkeypatch.setitem(health.CHECKS, "cache", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
