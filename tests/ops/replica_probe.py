"""Run by tests/ops/test_replica.py in a subprocess whose DATABASE_URL is a throwaway primary and
DATABASE_REPLICA_URL its streaming replica: exercises the router and the middleware against them and
prints what it saw as JSON. (A subprocess, because the test process's own "default" database is the
suite's test database, not the primary of this replica.)
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import ProgrammingError, connection, connections  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from xiachen.ops import replica  # noqa: E402
from xiachen.ops.models import JobState  # noqa: E402

DASHBOARD = "/dashboards/"
seen: dict = {}


def database_of_a_read() -> str:
    return JobState.objects.all().db


def view_reading_jobs(request):
    """Stands in for a dashboard view: reads rows and says where the read went and what it found."""
    from django.http import JsonResponse

    return JsonResponse({"db": database_of_a_read(), "jobs": sorted(JobState.objects.values_list("job", flat=True))})


def get(path: str, session: dict):
    request = RequestFactory().get(path)
    request.session = session
    return json.loads(replica.ReplicaReadsMiddleware(view_reading_jobs)(request).content)


def wait_on_replica(job: str, seconds: float = 30) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if JobState.objects.using(replica.REPLICA).filter(job=job).exists():
                return time.monotonic() - started
        except ProgrammingError:  # the table itself has not replayed yet
            pass
        time.sleep(0.05)
    raise SystemExit(f"{job} never reached the replica")


def main(step: str) -> None:
    if step == "setup":
        with connection.schema_editor() as editor:
            editor.create_model(JobState)
        JobState.objects.create(job="written-on-primary")
        seen["replication_seconds"] = round(wait_on_replica("written-on-primary"), 3)
        with connections[replica.REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            seen["replica_in_recovery"] = cursor.fetchone()[0]
        seen["available"] = replica.replica_available()
        seen["outside_a_request"] = database_of_a_read()
        seen["dashboard"] = get(DASHBOARD, {})
        seen["other_page"] = get("/households/", {})
        session: dict = {}
        post = RequestFactory().post("/households/")
        post.session = session
        replica.ReplicaReadsMiddleware(lambda request: _write_and_answer())(post)
        seen["stamped_by_a_write"] = replica.SESSION_KEY in session
        seen["dashboard_after_own_write"] = get(DASHBOARD, session)
        seen["write_target"] = JobState.objects.db_manager().db  # no hints: the router's write choice
    elif step == "replica_dies_during_request":
        seen["available_before"] = replica.replica_available()
        connections[replica.REPLICA].ensure_connection()
        print("READY", flush=True)
        sys.stdin.readline()  # the test stops the replica now
        seen["dashboard"] = get(DASHBOARD, {})
        seen["available_after"] = replica.replica_available()
        replica.forget_health()  # the next request checks again and finds the replica down
        seen["next_dashboard"] = get(DASHBOARD, {})
        seen["available_at_next_check"] = replica.replica_available()
    print(json.dumps(seen), flush=True)


def _write_and_answer():
    from django.http import HttpResponse

    JobState.objects.create(job="written-by-the-user")
    return HttpResponse("ok")


if __name__ == "__main__":
    main(sys.argv[1])
