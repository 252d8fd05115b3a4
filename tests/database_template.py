"""One migrated test database per run, cloned for each test worker.

Migrating from scratch costs about 25 CPU-seconds (Django renders the model state again and again over
~140 migrations), and each xdist worker used to do it for itself, all of them at the same moment at the
start of the run. Here the first worker to arrive migrates a *template* database under a file lock;
every worker (the first included) then clones it — a file copy on SQLite, ``CREATE DATABASE … TEMPLATE``
on PostgreSQL, both through Django's own ``clone_test_db``. Without xdist nothing changes. The xdist
controller names the run (``RUN_ENV``, inherited by the workers it starts) and drops the template when
the run ends (``drop_template``).
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

READY = "ready"
RUN_ENV = "XIACHEN_TEST_RUN"


def name_the_run() -> None:
    """In the controller, before it starts the workers: one id shared by the whole run."""
    os.environ.setdefault(RUN_ENV, uuid.uuid4().hex[:12])


def in_a_named_worker() -> bool:
    return bool(os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get(RUN_ENV))


def _lock_path() -> Path:
    return Path(tempfile.gettempdir()) / f"xiachen-testdb-{os.environ[RUN_ENV]}.lock"


def _template_name(settings_dict: dict, vendor: str) -> str:
    """From the configured (not the test) database name, so the controller finds it too."""
    run = os.environ[RUN_ENV]
    if vendor == "sqlite":
        return str(Path(tempfile.gettempdir()) / f"xiachen-test-template-{run}.sqlite3")
    return f"test_{settings_dict['NAME']}_tpl{run}"[:55]  # PostgreSQL names stop at 63 bytes; clones add _gwN


@contextmanager
def _exclusive():
    with open(_lock_path(), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def clone_for_worker(verbosity: int) -> list:
    """Create (once per run) and clone the template; returns what ``teardown_databases`` expects.

    Only the default alias is a real database in the test settings; any other alias mirrors it
    (``setup_databases`` would do the same)."""
    from django.db import connections

    connection = connections["default"]
    original_name = connection.settings_dict["NAME"]
    template = _template_name(connection.settings_dict, connection.vendor)
    worker = os.environ["PYTEST_XDIST_WORKER"]
    with _exclusive() as handle:
        handle.seek(0)
        connection.settings_dict["TEST"]["NAME"] = template
        if handle.read().strip() != READY:
            connection.creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:  # the copy is of the main file: no pages left in the WAL
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            handle.seek(0)
            handle.truncate()
            handle.write(READY)
            handle.flush()
        else:
            connection.settings_dict["NAME"] = template
        connection.close()
        connection.creation.clone_test_db(suffix=worker, verbosity=verbosity, autoclobber=True)
    clone = connection.creation.get_test_db_clone_settings(worker)["NAME"]
    connection.settings_dict["NAME"] = clone
    connection.close()
    for alias in connections:
        if alias != "default":
            connections[alias].creation.set_as_test_mirror(connection.settings_dict)
    connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    return [(connection, original_name, True)]


def drop_template() -> None:
    """Run by the xdist controller at the end: remove the template the workers cloned, if any."""
    from django.db import connections

    if RUN_ENV not in os.environ or not _lock_path().exists():
        return
    connection = connections["default"]
    template = _template_name(connection.settings_dict, connection.vendor)
    if connection.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(template + suffix).unlink(missing_ok=True)
    else:
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{template}"')
    _lock_path().unlink(missing_ok=True)
