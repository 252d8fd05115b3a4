"""Settings of the worker process the fault tests start (tests/ops/test_worker_faults.py): the test
settings, the database queue instead of running tasks inline, and the test's own database."""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DATABASES["default"]["NAME"] = os.environ["XIACHEN_FAULT_DB_NAME"]
