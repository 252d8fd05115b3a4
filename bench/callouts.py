"""A call-out to 10,000 registered members of a district (issue #19 item 4, "Numbers").

    .venv/bin/python bench/callouts.py            # SQLite, var/bench/callouts.sqlite3 (rebuilt each run)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiachen_bench_callouts .venv/bin/python bench/callouts.py

Builds a district (10 streets × 10 communities × 4 compounds) with 10,000 confirmed members, each
with a resident login, a few specialties and some service records; then the organization department
calls the district out for 1,000 people at invite factor 10, so all 10,000 are ranked and invited.
Timed, in one transaction each, best of three: (1) ranking — the candidate queries, the matcher and
the ordering (`rank_invitees`); (2) sending — the 草稿 → 已发出 service with the invitations and (3)
enqueueing — one in-app notification with its signed link and one SMS outbox row per member
(`callout_messages.invite_all`). Targets: rank and select < 2 s; enqueue < 5 s.
Writes bench/results/callouts.json.
"""

import json
import os
import platform
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_SQLITE = ROOT / "var" / "bench" / "callouts.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
MEMBERS = 10_000
RUNS = 3


class Rollback(Exception):
    pass


def timed(action) -> tuple[float, object]:
    from django.db import transaction

    started = time.perf_counter()
    try:
        with transaction.atomic():
            result = action()
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        return elapsed, result


def build() -> dict:
    from django.utils import timezone

    from tests.factories import ensure_vocabularies
    from xiachen.accounts.enums import Role
    from xiachen.accounts.models import Membership, User
    from xiachen.cadres.models import Specialty
    from xiachen.org.models import Unit, UnitKind
    from xiachen.volunteers.enums import RecordSource, RecordStatus, RegistrationStatus
    from xiachen.volunteers.models import Member, ServiceRecord

    ensure_vocabularies()
    kinds = {kind.code: kind for kind in UnitKind.objects.all()}

    def unit(code, name, kind, parent=None):
        made = Unit(code=code, name=name, kind=kinds[kind], parent=parent)
        made.build_path()
        made.save()
        return made

    city = unit("990100", "基准市", "city")
    district = unit("990102", "基准区", "district", city)
    agency = unit("A-BENCH", "基准局", "agency", city)
    compounds = []
    for s in range(10):
        street = unit(f"990102{s:03d}", f"第{s}街道", "street", district)
        for c in range(10):
            community = unit(f"{street.code}{c:03d}", f"第{s}-{c}社区", "community", street)
            compounds += [(community, unit(f"{community.code}{k:03d}", f"{community.name}{k}号小区", "compound",
                                           community)) for k in range(4)]
    org = User.objects.create(username="bench-org", display_name="组织部")
    Membership.objects.create(user=org, role=Role.ORG_DEPARTMENT, unit=city)
    users = User.objects.bulk_create(User(username=f"bench-member-{i}", display_name=f"成员{i}")
                                     for i in range(MEMBERS))
    Membership.objects.bulk_create(Membership(user=user, role=Role.RESIDENT, unit=compounds[i % len(compounds)][1])
                                   for i, user in enumerate(users))
    rng = random.Random(19)
    members = Member.objects.bulk_create(
        Member(kind="party_member", status=RegistrationStatus.CONFIRMED, name=f"成员{i}", user=user, agency=agency,
               community=compounds[i % len(compounds)][0], community_path=compounds[i % len(compounds)][0].path,
               compound=compounds[i % len(compounds)][1], available_evenings=rng.random() < 0.7)
        for i, user in enumerate(users))
    specialties = list(Specialty.objects.all()[:6])
    Member.skills.through.objects.bulk_create(
        Member.skills.through(member_id=m.pk, specialty_id=rng.choice(specialties).pk)
        for m in members if rng.random() < 0.4)
    today = timezone.localdate()
    ServiceRecord.objects.bulk_create(
        ServiceRecord(member=m, community=m.community, community_path=m.community_path, source=RecordSource.POST,
                      served_on=today - timedelta(days=rng.randrange(30)), minutes=60,
                      status=RecordStatus.APPROVED)
        for m in members if rng.random() < 0.3)
    return {"district": district, "org": org, "skills": specialties[:2]}


def main() -> None:
    if "DATABASE_URL" not in os.environ:
        DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
        DEFAULT_SQLITE.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DEFAULT_SQLITE}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from xiachen.notices.models import OutboxMessage
    from xiachen.volunteers.models import CallOutInvite
    from xiachen.volunteers.services import callout_messages
    from xiachen.volunteers.services import callouts as services

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        from xiachen.volunteers.models import Member

        Member.objects.all().delete()
    started = time.perf_counter()
    world = build()
    build_seconds = round(time.perf_counter() - started, 1)
    start = timezone.now() + timedelta(days=1)
    call_out = services.create_call_out(
        by=world["org"], area=world["district"], title="防汛值守", need="全区沿江巡查", place="区应急指挥中心",
        headcount=1000, invite_factor=10, starts_at=start, reply_deadline=timezone.now() + timedelta(hours=2),
        skills=world["skills"])
    rank_runs, send_runs, enqueue_runs, invited, rows = [], [], [], 0, 0
    for _run in range(RUNS):
        seconds, ranked = timed(lambda: services.rank_invitees(call_out))
        rank_runs.append(seconds)
        invited = len(ranked)

        def send_and_enqueue():
            nonlocal rows
            t0 = time.perf_counter()
            services.send_call_out(by=world["org"], call_out=call_out)  # messages wait for the commit
            t1 = time.perf_counter()
            ids = list(CallOutInvite.objects.filter(call_out=call_out).values_list("pk", flat=True))
            rows = callout_messages.invite_all(call_out.pk, ids)
            assert OutboxMessage.objects.count() == rows
            return t1 - t0, time.perf_counter() - t1

        _total, (send, enqueue) = timed(send_and_enqueue)
        send_runs.append(send)
        enqueue_runs.append(enqueue)
    result = {
        "members": MEMBERS, "invited": invited, "outbox_rows": rows, "build_seconds": build_seconds,
        "database": connection.vendor,
        "rank_seconds": round(min(rank_runs), 3), "rank_runs": [round(s, 3) for s in rank_runs],
        "send_seconds": round(min(send_runs), 3), "send_runs": [round(s, 3) for s in send_runs],
        "enqueue_seconds": round(min(enqueue_runs), 3), "enqueue_runs": [round(s, 3) for s in enqueue_runs],
        "targets": {"rank_seconds": 2.0, "enqueue_seconds": 5.0},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
    }
    result["meets_targets"] = result["rank_seconds"] < 2.0 and result["enqueue_seconds"] < 5.0
    out = ROOT / "bench" / "results" / "callouts.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
