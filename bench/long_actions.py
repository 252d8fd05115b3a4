"""How long the round and assessment actions that now run as background jobs take (issue #14 item 7).

    DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/python bench/long_actions.py

Needs the small demo city with its simulated month (`bin/demo`, or `demo_city` + `demo_activity
--factor 0.01`): its round has 1,040 matches (990 arrived). Each action runs as the organization
department's demo login inside a transaction that is rolled back, so the database is unchanged:

  * publish: the round put back to review with every match confirmed (1,040 deployments and
    notifications), then `publish_round`;
  * close: `close_round` on the published round (990 service records);
  * grade and commend: after `compute_scores` (timed too, already a background job),
    `assign_grades` and `propose_commendations` (the best fifth).

Each number is also scaled linearly to a Wuhan round of 23,000 matches (the work is a loop over
rows: one deployment, notification, outbox message, score or entry per cadre). Writes
bench/results/long_actions.json.
"""

import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
WUHAN_MATCHES = 23_000


class Rollback(Exception):
    pass


def timed(action) -> float:
    from django.db import transaction

    started = time.perf_counter()
    try:
        with transaction.atomic():
            action()
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        return elapsed


def main() -> None:
    import django

    django.setup()
    from xiachen.accounts.models import User
    from xiachen.assessments import services as assessments
    from xiachen.assessments.models import Score
    from xiachen.deployments import services as rounds
    from xiachen.deployments.models import Deployment, Match, Round

    by = User.objects.get(username="zuzhibu")
    round_ = Round.objects.get(status="published")
    matches = Match.objects.filter(round=round_).count()

    def publish():
        Deployment.objects.filter(match__round=round_).delete()
        Match.objects.filter(round=round_).update(status="confirmed")
        Round.objects.filter(pk=round_.pk).update(status="review")
        round_.refresh_from_db()
        started = time.perf_counter()
        rounds.publish_round(by=by, round_=round_)
        results["publish_round"]["seconds"] = round(time.perf_counter() - started, 3)

    def close():
        rounds.close_round(by=by, round_=round_)

    def assess():
        started = time.perf_counter()
        assessments.compute_scores(by=by, round_=round_)
        results["compute_scores"]["seconds"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        assessments.assign_grades(by=by, round_=round_)
        results["assign_grades"]["seconds"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        assessments.propose_commendations(by=by, round_=round_)
        results["propose_commendations"]["seconds"] = round(time.perf_counter() - started, 3)
        results["assign_grades"]["rows"] = Score.objects.filter(round=round_).count()

    results = {name: {} for name in ("publish_round", "close_round", "compute_scores", "assign_grades",
                                     "propose_commendations")}
    timed(publish)
    results["publish_round"]["rows"] = matches
    results["close_round"] = {"seconds": round(timed(close), 3),
                              "rows": Match.objects.filter(round=round_, status="arrived").count()}
    timed(assess)
    for result in results.values():
        rows = result.get("rows") or results["assign_grades"].get("rows") or matches
        result["rows"] = rows
        result["wuhan_estimate_seconds"] = round(result["seconds"] * WUHAN_MATCHES / max(rows, 1), 1)
    from django.db import connection

    report = {"database": connection.vendor, "machine": platform.machine(), "cpus": os.cpu_count(),
              "round_matches": matches, "wuhan_matches": WUHAN_MATCHES, "actions": results}
    out = ROOT / "bench" / "results" / "long_actions.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
