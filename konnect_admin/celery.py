"""The Celery app. The broker only wakes workers; Job rows in the database are the ledger."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "konnect_admin.settings")

app = Celery("konnect_admin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule(sender: Celery, **_: object) -> None:
    from django.conf import settings

    from konnect_admin.schedule import beat_schedule

    sender.conf.beat_schedule = beat_schedule(settings)
