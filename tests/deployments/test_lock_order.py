"""One lock order (round, then its matches) for every service, so a liaison confirming while the
organization department re-runs matching cannot deadlock (issue #16 item 17). PostgreSQL only: two
threads with their own connections; SQLite serializes writers and cannot deadlock this way.

Each thread, once it holds its first lock, waits until the other holds its first lock too or is
blocked waiting for one (seen in pg_stat_activity). In the old order (match → round against round →
matches) both got their first lock and PostgreSQL aborted one with "deadlock detected"."""

import threading
import time

import pytest
from django.db import connection, connections

from xiachen.deployments import services
from xiachen.deployments.enums import MatchStatus, RoundStatus
from xiachen.ops.models import TaskLease

pytestmark = [
    pytest.mark.postgresql_only,
    pytest.mark.django_db(transaction=True),
]


def _other_is_blocked() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid())"
        )
        return cursor.fetchone()[0]


def _rendezvous(monkeypatch) -> dict[str, threading.Event]:
    """After its first lock, each thread waits for the other's first lock (or for it to block)."""
    holding = {"liaison": threading.Event(), "department": threading.Event()}
    original = services._lock

    def lock(instance):
        locked = original(instance)
        me = threading.current_thread().name
        if me in holding and not holding[me].is_set():
            holding[me].set()
            other = holding["department" if me == "liaison" else "liaison"]
            deadline = time.monotonic() + 10
            while not other.is_set() and not _other_is_blocked() and time.monotonic() < deadline:
                time.sleep(0.01)
        return locked

    monkeypatch.setattr(services, "_lock", lock)
    return holding


def _in_threads(**work) -> dict[str, BaseException | None]:
    outcome: dict[str, BaseException | None] = {}

    def run(name, action):
        try:
            action()
            outcome[name] = None
        except BaseException as error:
            outcome[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(name, action), name=name) for name, action in work.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


@pytest.fixture
def under_review(draft_round, people, settings):
    services.start_matching(by=people.org_department, round_=draft_round)  # inline: review at once
    draft_round.refresh_from_db()
    assert draft_round.status == RoundStatus.REVIEW
    match = draft_round.matches.select_related("cadre__agency").get(demand__post_type__code="finance_audit_support")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # runs stay queued
    return draft_round, match


def _clean(outcome) -> None:
    for name, error in outcome.items():
        assert error is None or isinstance(error, services.RoundError), f"{name}: {error!r}"


def test_confirming_while_a_rerun_is_requested_does_not_deadlock(under_review, people, monkeypatch):
    round_, match = under_review
    _rendezvous(monkeypatch)
    outcome = _in_threads(
        liaison=lambda: services.decide_nomination(by=people.liaison1, match=match, confirm=True),
        department=lambda: services.start_matching(by=people.org_department, round_=round_),
    )
    _clean(outcome)
    round_.refresh_from_db()
    match.refresh_from_db()
    assert round_.status == RoundStatus.MATCHING
    assert match.status in (MatchStatus.CONFIRMED, MatchStatus.PROPOSED)  # confirmed first, or refused


def test_confirming_while_a_rerun_stores_its_plan_does_not_deadlock(under_review, people, monkeypatch):
    round_, match = under_review
    services.start_matching(by=people.org_department, round_=round_)  # queued (dummy backend)
    lease = str(TaskLease.objects.get().token)
    _rendezvous(monkeypatch)
    outcome = _in_threads(
        liaison=lambda: services.decide_nomination(by=people.liaison1, match=match, confirm=True),
        department=lambda: services.run_matching(round_id=round_.pk, user_id=people.org_department.pk,
                                                 lease=lease, incremental=False),
    )
    _clean(outcome)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.REVIEW
    assert round_.matches.filter(status=MatchStatus.PROPOSED).exists()
