"""The Celery app. Its configuration, beat schedule included, lives in lsp/settings.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lsp.settings")

app = Celery("lsp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
