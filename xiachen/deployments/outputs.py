"""Outputs of a published round: Excel plans per sending agency and per receiving unit, and the
printable 派驻通知 of each cadre (HTML rendered to PDF by WeasyPrint with the Noto CJK fonts).

Only published or closed rounds have outputs. Phones and ID numbers never appear in them. Every
export is permission-checked (PermissionDenied) and leaves one audit row with counts only. The
`access_*` helpers give the views one 404 for "missing", "not yours" and "not published yet".
"""

from datetime import date
from uuid import UUID

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from xiachen.accounts.permissions import has_permission, require_permission, scope_paths
from xiachen.audit import services as audit
from xiachen.core.excel import build_workbook
from xiachen.org.models import Unit, path_within

from .enums import Hazard, MatchStatus, RoundStatus
from .models import Match, Round
from .round_selectors import rounds_visible_to
from .services import RoundError

OUTPUT_STATUSES = (RoundStatus.PUBLISHED, RoundStatus.CLOSED)
# Who goes (or went): a declined or replaced nomination is in neither the plan nor a notice.
PLACED_STATUSES = (MatchStatus.CONFIRMED, MatchStatus.ARRIVED, MatchStatus.NO_SHOW)
AGENCY_HEADERS = ["姓名", "内设机构", "职级", "接收单位", "岗位", "期间", "每日时长", "风险等级", "状态"]
UNIT_HEADERS = ["姓名", "派出单位", "内设机构", "职级", "接收单位", "岗位", "期间", "每日时长", "风险等级", "状态"]
PROTECTIVE_NOTES = {
    Hazard.LOW: "按常规做好个人防护，佩戴口罩，勤洗手。",
    Hazard.MEDIUM: "上岗时须佩戴医用口罩、手套和面屏，离岗时按规定摘脱并做好手部消毒。",
    Hazard.HIGH: "须穿戴全套防护服上岗，上岗前由接收单位进行穿脱培训；身体不适请立即报告，不得带病上岗。",
}


# --- access: what the views may look up ------------------------------------------------------------


def output_rounds_visible_to(user) -> QuerySet[Round]:
    """Published or closed rounds the user sees (round_selectors: all for the organization department,
    a liaison's those with a match of their agency, a manager's those with a demand in their subtree)."""
    return rounds_visible_to(user).filter(status__in=OUTPUT_STATUSES)


def access_output_round(user, public_id: UUID) -> Round:
    return get_object_or_404(output_rounds_visible_to(user), public_id=public_id)


def access_agency(user, public_id: UUID) -> Unit:
    paths = scope_paths(user, "deployments.run_rounds") + scope_paths(user, "deployments.confirm_nominations")
    agencies = Unit.objects.filter(path_within(paths), kind__code="agency")
    return get_object_or_404(agencies, public_id=public_id)


def access_receiving_unit(user, public_id: UUID) -> Unit:
    paths = scope_paths(user, "deployments.run_rounds") + scope_paths(user, "deployments.manage_demands")
    return get_object_or_404(Unit.objects.filter(path_within(paths)), public_id=public_id)


def access_notice_match(user, public_id: UUID) -> Match:
    """A notice the user may print: any for the organization department, their agency's cadres for a
    liaison, their own for a cadre; only of a published or closed round."""
    condition = path_within(
        scope_paths(user, "deployments.run_rounds") + scope_paths(user, "deployments.confirm_nominations"),
        field="agency_path",
    )
    if user.is_authenticated:
        condition |= Q(cadre__user=user)
    matches = _plan_matches().filter(condition, round__status__in=OUTPUT_STATUSES, status__in=PLACED_STATUSES)
    return get_object_or_404(matches, public_id=public_id)


# --- Excel plans ------------------------------------------------------------------------------------


def plan_workbook_for_agency(*, by, round_: Round, agency: Unit) -> bytes:
    """The round's plan for one sending agency: one row per cadre of the agency (and its departments).

    Raises PermissionDenied unless `by` runs rounds or is the agency's liaison, RoundError unless the
    round is published or closed.
    """
    if not has_permission(by, "deployments.run_rounds", agency):
        require_permission(by, "deployments.confirm_nominations", agency)
    matches = _published_plan(round_).filter(agency_path__startswith=agency.path)
    with translation.override("zh-hans"):
        rows = [_agency_row(match, round_) for match in matches]
        content = build_workbook(AGENCY_HEADERS, rows, title="派驻方案")
    audit.record(actor=by, action="round.plan_exported", target=round_, fields={"scope": "agency", "rows": len(rows)})
    return content


def plan_workbook_for_unit(*, by, round_: Round, unit: Unit) -> bytes:
    """The cadres coming to a receiving unit and its subtree, with their agency.

    Raises PermissionDenied unless `by` runs rounds or manages the unit, RoundError unless the round is
    published or closed.
    """
    if not has_permission(by, "deployments.run_rounds", unit):
        require_permission(by, "deployments.manage_demands", unit)
    matches = _published_plan(round_).filter(demand__unit_path__startswith=unit.path)
    with translation.override("zh-hans"):
        rows = [_unit_row(match, round_) for match in matches]
        content = build_workbook(UNIT_HEADERS, rows, title="派驻方案")
    audit.record(actor=by, action="round.plan_exported", target=round_, fields={"scope": "unit", "rows": len(rows)})
    return content


def _plan_matches() -> QuerySet[Match]:
    return Match.objects.select_related(
        "round", "cadre__agency", "cadre__department", "demand__unit", "demand__post_type"
    )


def _published_plan(round_: Round) -> QuerySet[Match]:
    if round_.status not in OUTPUT_STATUSES:
        raise RoundError(_("只有已发布或已结束的轮次可以导出派驻方案"))
    matches = _plan_matches().filter(round=round_, status__in=PLACED_STATUSES)
    return matches.order_by("demand__unit_path", "demand__start", "cadre__name", "pk")


def _agency_row(match: Match, round_: Round) -> list:
    cadre, demand = match.cadre, match.demand
    department = cadre.department.name if cadre.department_id else ""
    return [
        cadre.name,
        department,
        cadre.get_rank_display(),
        demand.unit.name,
        demand.post_type.name_zh,
        _period_text(match, round_),
        float(demand.daily_hours),
        demand.get_hazard_display(),
        match.get_status_display(),
    ]


def _unit_row(match: Match, round_: Round) -> list:
    row = _agency_row(match, round_)
    return [row[0], match.cadre.agency.name, *row[1:]]


# --- 派驻通知 -----------------------------------------------------------------------------------------


def assignment_notice_pdf(*, by, match: Match) -> bytes:
    """The 派驻通知 of one cadre as an A4 PDF.

    Raises PermissionDenied unless `by` runs rounds, is the liaison of the cadre's agency or is the
    cadre; RoundError unless the round is published or closed and the cadre is confirmed to go.
    """
    _require_notice_permission(by, match)
    if match.round.status not in OUTPUT_STATUSES or match.status not in PLACED_STATUSES:
        raise RoundError(_("只有已发布轮次中确认派出的干部才有派驻通知"))
    document = HTML(string=notice_html(match), url_fetcher=URLFetcher(allowed_protocols=())).render()
    content = document.write_pdf()
    audit.record(actor=by, action="match.notice_printed", target=match, fields={"pages": len(document.pages)})
    return content


def notice_html(match: Match, *, issued_on: date | None = None) -> str:
    """The notice as the HTML WeasyPrint renders, always in Chinese."""
    with translation.override("zh-hans"):
        return render_to_string("deployments/notice_pdf.html", notice_context(match, issued_on=issued_on))


def notice_context(match: Match, *, issued_on: date | None = None) -> dict:
    round_, cadre, demand = match.round, match.cadre, match.demand
    start, end = _period(match, round_)
    return {
        "round": round_,
        "round_kind": round_.get_kind_display(),
        "cadre": cadre,
        "department": cadre.department.name if cadre.department_id else "",
        "unit": demand.unit,
        "post_type": demand.post_type.name_zh,
        "start": _chinese_date(start),
        "end": _chinese_date(end),
        "daily_hours": f"{demand.daily_hours.normalize():f}",
        "hazard": demand.get_hazard_display(),
        "protective_note": PROTECTIVE_NOTES[Hazard(demand.hazard)],
        "issued_on": _chinese_date(issued_on or timezone.localdate()),
    }


def _require_notice_permission(by, match: Match) -> None:
    agency = match.cadre.agency
    if match.cadre.user_id is not None and match.cadre.user_id == by.pk:
        return
    if not has_permission(by, "deployments.run_rounds", agency):
        require_permission(by, "deployments.confirm_nominations", agency)


# --- helpers ------------------------------------------------------------------------------------------


def _period(match: Match, round_: Round) -> tuple[date, date]:
    """The days served: the demand's period clipped to the round's."""
    return max(match.demand.start, round_.start), min(match.demand.end, round_.end)


def _period_text(match: Match, round_: Round) -> str:
    start, end = _period(match, round_)
    return f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
