"""Assessment URLs × roles for tests/accounts/test_permission_matrix.py.

A published round in which cadre1 (agency1) served at community1 (community2 has an empty demand, so
manager2 sees the round but no score); cadre1 is evaluated, scored, graded 优秀, commended (approved)
and has an open appeal; liaison1 generated agency1's Excel report. Reading needs assessments.view
(403), then the round or score must be visible (404). 我的考核 needs a cadre profile (403).
"""

from xiachen.assessments.models import ScoreJob
from xiachen.assessments.reports import request_report, run_report_job
from xiachen.assessments.services import (
    approve_commendations,
    assign_grades,
    compute_scores,
    evaluate,
    file_appeal,
    propose_commendations,
)

from .builders import ALL, served_round

ROLES = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
         "resident_user1", "auditor", "sysadmin"]
VIEWERS = ["org_department", "liaison1", "liaison2", "manager1", "manager2"]
SEE_ROUND = ["org_department", "liaison1", "manager1", "manager2", "cadre_user1"]


def only(status: int, allowed: list[str], others: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    return {role: status if role in allowed else others for role in ROLES} | {"anonymous": anonymous} | overrides


def _built(request):
    cached = getattr(request, "_assessment_matrix", None)
    if cached is None:
        tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")
        cadre1 = request.getfixturevalue("cadre1")
        round_ = served_round(tree, people, cadres_at_1=[cadre1])
        evaluate(by=people.manager1, round_=round_, cadre=cadre1, period="final", scores=dict.fromkeys(ALL, 95))
        compute_scores(by=people.org_department, round_=round_)
        assign_grades(by=people.org_department, round_=round_, quotas={"excellent": (0, 100)})
        score = round_.scores.get()
        commendations = propose_commendations(by=people.org_department, round_=round_)
        approve_commendations(by=people.org_department, commendation_list=commendations)
        appeal = file_appeal(by=people.cadre_user1, score=score, reason="复核")
        report = request_report(by=people.liaison1, round_=round_, unit=tree.agency1, fmt="xlsx")
        run_report_job(job_id=report.pk)
        score_job = ScoreJob.objects.create(round=round_, requested_by=people.org_department, status="done")
        cached = request._assessment_matrix = {
            "score_job": score_job,
            "tree": tree, "cadre1": cadre1, "round": round_, "score": score, "appeal": appeal,
            "list": commendations, "entry": commendations.entries.get(), "report": report,
        }
    return cached


def _get(key):
    return lambda request: [_built(request)[key].public_id]


ARGS = {
    "assessment_round": _get("round"),
    "assessment_round_cadre": lambda request: [_built(request)["round"].public_id, _built(request)["cadre1"].public_id],
    "assessment_round_pdf": lambda request: [_built(request)["round"].public_id, "pdf"],
    "assessment_round_agency_xlsx": lambda request: [
        _built(request)["round"].public_id, _built(request)["tree"].agency1.public_id, "xlsx"],
    "assessment_round_agency_pdf": lambda request: [
        _built(request)["round"].public_id, _built(request)["tree"].agency1.public_id, "pdf"],
    "assessment_score": _get("score"),
    "assessment_appeal": _get("appeal"),
    "assessment_list": _get("list"),
    "assessment_entry": _get("entry"),
    "assessment_agency": lambda request: [_built(request)["tree"].agency1.public_id],
    "assessment_report": _get("report"),
    "assessment_score_job": _get("score_job"),
}

ROUND_WRITE = only(403, SEE_ROUND, 404) | {"org_department": 302}
# agency1's report: who may generate it may follow and download it
REPORT_READ = only(200, ["org_department", "liaison1"], 403) | {"liaison2": 404, "manager1": 404, "manager2": 404}

MATRIX = {
    ("assessments:index", None, "get"): only(200, VIEWERS, 403),
    ("assessments:round_detail", "assessment_round", "get"): only(200, VIEWERS, 403) | {"liaison2": 404},
    # manager2 sees the round but cadre1 never served there: the same 404 as for a cadre that does not exist
    ("assessments:evaluate", "assessment_round_cadre", "get"): only(200, ["manager1"], 403, manager2=404),
    ("assessments:compute", "assessment_round", "post"): ROUND_WRITE,
    ("assessments:score_progress", "assessment_score_job", "get"): only(200, ["org_department"], 403),
    ("assessments:grade", "assessment_round", "post"): ROUND_WRITE,
    ("assessments:commendation_propose", "assessment_round", "post"): ROUND_WRITE,
    # reports are queued (302 to the job page); the organization department reports city-wide, a
    # liaison on their own agency (the round or unit out of sight: 404)
    ("assessments:round_report", "assessment_round_pdf", "post"): only(302, ["org_department"], 403),
    ("assessments:unit_report", "assessment_round_agency_xlsx", "post"): only(302, ["org_department", "liaison1"], 403)
    | {"liaison2": 404, "manager1": 404, "manager2": 404},
    # the per-agency report: any agency for the organization department, liaison1 their own; a manager's
    # scope holds no agency (404), nor does liaison2 see the round (404)
    ("assessments:agency_report", "assessment_round_agency_pdf", "post"): only(
        302, ["org_department", "liaison1"], 403) | {"liaison2": 404, "manager1": 404, "manager2": 404},
    ("assessments:report_job", "assessment_report", "get"): REPORT_READ,
    ("assessments:report_progress", "assessment_report", "get"): REPORT_READ,
    ("assessments:report_download", "assessment_report", "get"): REPORT_READ,
    ("assessments:schemes", None, "get"): only(200, ["org_department"], 403),
    ("assessments:scheme_new", None, "get"): only(200, ["org_department"], 403),
    ("assessments:mine", None, "get"): only(200, ["cadre_user1"], 403),
    ("assessments:score_detail", "assessment_score", "get"): only(
        200, ["org_department", "liaison1", "manager1", "cadre_user1"], 404
    ),
    # cadre1 already has an open appeal: refused with a message (302); other viewers of the score 403
    ("assessments:appeal_new", "assessment_score", "post"): only(403, ["org_department", "liaison1", "manager1"], 404)
    | {"cadre_user1": 302},
    ("assessments:appeals", None, "get"): only(200, ["org_department"], 403),
    ("assessments:appeal_answer", "assessment_appeal", "post"): only(302, ["org_department"], 403),
    ("assessments:commendation_detail", "assessment_list", "get"): only(200, ["org_department"], 403),
    ("assessments:commendation_approve", "assessment_list", "post"): only(302, ["org_department"], 403),
    ("assessments:certificate", "assessment_entry", "get"): only(
        200, ["org_department", "liaison1", "cadre_user1"], 404
    ),
    ("assessments:agency_export", "assessment_agency", "get"): only(200, ["org_department", "liaison1"], 404),
}
