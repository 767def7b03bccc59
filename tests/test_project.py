"""Checks on the project's own files: configuration documented, deployment file well-formed."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_is_in_env_example_and_readme():
    settings_src = (ROOT / "lsp" / "settings.py").read_text()
    used = set(re.findall(r'env\.[a-z_]+\(\s*"([A-Z_]+)"', settings_src))
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "EMAIL_URL", "SITE_URL"} <= used
    example = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    readme = (ROOT / "README.md").read_text()
    assert used <= example, used - example
    assert {v for v in used if f"`{v}`" not in readme} == set()


def test_docker_compose_has_one_beat_and_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("db", "redis", "web"):
        assert "healthcheck" in services[name]
    assert {"pgdata", "redisdata", "media"} <= set(compose["volumes"])


def test_beat_schedule_lives_in_settings_and_names_real_tasks():
    from django.conf import settings

    from lsp.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
    assert app.conf.timezone == "Asia/Makassar"
