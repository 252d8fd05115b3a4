"""Operations URLs × roles for tests/accounts/test_permission_matrix.py: the working calendar is kept by the
system administrator and the organization department; every other role gets 403. A background job
(publishing a round, queued by the organization department) is watched and retried by the holders of
its kind's permission; for everyone else it does not exist (404). The retry of a queued job returns
it (idempotent) and redirects."""

from datetime import date

from xiachen.deployments.models import Round

ROLES = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
         "resident_user1", "auditor", "sysadmin"]
KEEPERS = ["org_department", "sysadmin"]

def only(status: int, allowed: list[str], others: int, anonymous: int = 302) -> dict[str, int]:
    return {role: status if role in allowed else others for role in ROLES} | {"anonymous": anonymous}

def _publish_job(request):
    from xiachen.deployments.services import create_round
    from xiachen.ops import jobs

    people = request.getfixturevalue("people")
    round_ = create_round(by=people.org_department, name="矩阵轮次", kind="normalized",
                          start=date(2026, 12, 1), end=date(2026, 12, 31))
    Round.objects.filter(pk=round_.pk).update(status="review")
    round_.refresh_from_db()
    return [jobs.start(by=people.org_department, kind="deployments.publish_round", subject=round_).public_id]

ARGS: dict = {"job": _publish_job}

MATRIX = {
    ("ops:calendar", None, "get"): only(200, KEEPERS, 403),
    ("ops:calendar_template", None, "get"): only(200, KEEPERS, 403),
    ("ops:job_progress", "job", "get"): only(200, ["org_department"], 404),
    ("ops:job_retry", "job", "post"): only(302, ["org_department"], 404),
}
