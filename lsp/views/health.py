"""Probes for the load balancer and the orchestrator."""

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from lsp.celery import app as celery_app


@never_cache
def healthz(request):
    """The process answers. No I/O."""
    return HttpResponse("ok", content_type="text/plain")


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    cache.set("readyz", "1", 5)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache did not return what was stored")


def _broker():
    if celery_app.conf.broker_url.startswith("memory://"):
        return  # no broker configured (REDIS_URL unset): tasks run in-process
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


@never_cache
def readyz(request):
    """Database, cache and broker reachable; 503 naming each part that failed."""
    results, failed = {}, []
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:
            results[name] = f"error: {exc.__class__.__name__}"
            failed.append(name)
    body = {"status": "ok" if not failed else "unavailable", "checks": results}
    if failed:
        body["failed"] = failed
    return JsonResponse(body, status=503 if failed else 200)
