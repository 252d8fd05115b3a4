"""`manage.py db_worker`: django-tasks-db's worker, made to survive the database going away.

The stock worker exits on any database error outside a task (a PostgreSQL restart while it polls)
and when recording a task's outcome fails (a "database is locked" on SQLite); the task it was running
then stays "running" for ever. This one keeps going: on a database error it drops its connections,
waits (doubling from the poll interval up to MAX_BACKOFF seconds) and polls again. When it starts,
it reclaims leases of tasks whose worker died (xiachen.ops.leases), e.g. its own predecessor killed
with -9. Its process is still supervised (systemd `Restart=always`, bin/demo's restart loop).
"""

import logging
import time

from django.db import Error as DatabaseError
from django.db import connections
from django_tasks_db.management.commands import db_worker

from xiachen.ops import leases

logger = logging.getLogger("django_tasks_db")
MAX_BACKOFF = 30.0


class ResilientWorker(db_worker.Worker):
    def run(self) -> None:
        backoff = 0.0
        while self.running:
            try:
                reclaimed = leases.reclaim_stale()
                if reclaimed:
                    logger.warning("reclaimed tasks of a stopped worker: %s", ", ".join(reclaimed))
                super().run()
                return  # --batch or --max-tasks reached
            except DatabaseError as error:
                self.running_task = False
                backoff = min(MAX_BACKOFF, max(self.interval, 0.5) if not backoff else backoff * 2)
                logger.error("database error in the worker, retrying in %.1f s: %s", backoff, error)
                for connection in connections.all(initialized_only=True):
                    connection.close()  # the next query opens a fresh one
                self.startup_delay = False
                time.sleep(backoff)


class Command(db_worker.Command):
    help = db_worker.Command.help + " (xiachen: survives database restarts; reclaims tasks of dead workers)"

    def handle(self, *args, **options):
        original = db_worker.Worker
        # The stock handle() builds its Worker from this module name and has no other hook.
        db_worker.Worker = ResilientWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
