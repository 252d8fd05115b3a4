"""Dashboard and report reads on a PostgreSQL streaming replica, with the primary as the fallback.

Configured by `DATABASE_REPLICA_URL` (settings: `DATABASES["replica"]`); without it nothing here
changes a query. The choice is per request, not per model (a dashboard reads the same tables a
form writes):

- `ReplicaReadsMiddleware` marks GET/HEAD requests to the views in `XIACHEN_REPLICA_VIEWS`
  (dashboards, rankings, reports: namespaces or full view names) as replica reads, unless the session wrote
  something in the last `XIACHEN_READ_YOUR_WRITES_SECONDS` — read-your-writes: a manager who just
  closed a ticket sees it closed, whatever the replica's lag. Any other request that is not a
  GET/HEAD stamps the session with the time of the write.
- `ReplicaRouter` sends the reads of a marked request to "replica" when `replica_available()`;
  writes (the audit rows of a sensitive read included) always go to the primary.
- `replica_available()` asks the replica, at most every `XIACHEN_REPLICA_CHECK_SECONDS`, whether
  it is up, in recovery and streaming from the primary; a replica that is down or cut off from the
  primary is skipped until the next check. A replica that dies during a request makes the
  middleware answer the request again from the primary (a GET is safe to repeat): users see a
  slower page, never an error.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections
from django.urls import Resolver404, resolve

REPLICA = "replica"
SESSION_KEY = "xiachen_wrote_at"
logger = logging.getLogger(__name__)

_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)


@dataclass
class _Health:
    checked_at: float = float("-inf")
    available: bool = False


_health = _Health()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_available(*, now: float | None = None) -> bool:
    """True when the replica answers, is a standby and streams from the primary (cached briefly)."""
    if not replica_configured():
        return False
    now = time.monotonic() if now is None else now
    if now - _health.checked_at < settings.XIACHEN_REPLICA_CHECK_SECONDS:
        return _health.available
    _health.checked_at, _health.available = now, _probe()
    return _health.available


def mark_replica_down() -> None:
    """Skip the replica until the next check (called when a query on it failed)."""
    _health.checked_at, _health.available = time.monotonic(), False


def forget_health() -> None:
    """Check the replica again on the next read (tests, and after an operator repaired it)."""
    _health.checked_at, _health.available = float("-inf"), False


def _probe() -> bool:
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')"
            )
            in_recovery, streaming = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("replica unavailable, reading from the primary: %s", type(error).__name__)
        connection.close()
        return False
    if not (in_recovery and streaming):
        logger.warning("replica not streaming from the primary (in recovery: %s), reading from the primary",
                       in_recovery)
    return bool(in_recovery and streaming)


@contextmanager
def reading_replica():
    """Reads inside go to the replica when it is available (the primary otherwise)."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


class ReplicaRouter:
    """Reads of requests marked by `ReplicaReadsMiddleware` go to the replica; all else to the primary."""

    def db_for_read(self, model, **hints):
        if _reading_replica.get() and replica_available():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows: objects from either relate

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # a standby is read-only; it gets the schema by streaming


def wrote_recently(session, *, now: float | None = None) -> bool:
    wrote_at = session.get(SESSION_KEY) if session is not None else None
    now = time.time() if now is None else now
    return wrote_at is not None and now - wrote_at < settings.XIACHEN_READ_YOUR_WRITES_SECONDS


class ReplicaReadsMiddleware:
    """Marks dashboard and report GETs as replica reads; remembers each session's last write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        session = getattr(request, "session", None)
        if request.method not in ("GET", "HEAD"):
            if session is not None:
                session[SESSION_KEY] = time.time()
            return self.get_response(request)
        if not self._reads_replica(request, session):
            return self.get_response(request)
        try:
            with reading_replica():
                return self.get_response(request)
        except DatabaseError:
            if not _replica_broke():
                raise
            logger.warning("replica failed during a request; answering it from the primary")
            mark_replica_down()
            return self.get_response(request)

    @staticmethod
    def _reads_replica(request, session) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        if not reads_replica(match.namespace, match.url_name) or wrote_recently(session):
            return False
        # The session and the user are read now, from the primary: a session saved by the login
        # a moment ago may not have reached the replica yet.
        getattr(getattr(request, "user", None), "pk", None)
        return True


def reads_replica(namespace: str, url_name: str | None) -> bool:
    """Whether a view's GETs read the replica: its namespace ("dashboards") or its full name
    ("hotline:rates") is listed in XIACHEN_REPLICA_VIEWS."""
    listed = settings.XIACHEN_REPLICA_VIEWS
    return namespace in listed or f"{namespace}:{url_name}" in listed


def _replica_broke() -> bool:
    """Whether the replica's connection is unusable now (a failed query there, not an app error)."""
    connection = connections[REPLICA]
    if connection.connection is None:
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        connection.close()
        return True
    return False
