"""Developer and demo settings: SQLite in WAL mode, DEBUG on, TOTP off for the demo logins."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
XIACHEN_REQUIRE_TOTP = env_bool("XIACHEN_REQUIRE_TOTP", False)
# Background work (matching runs) goes through the database queue; bin/demo starts the worker.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

(BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405  # the SQLite file lives here
