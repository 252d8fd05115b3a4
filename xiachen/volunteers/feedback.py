"""The quarterly feedback to a member's home agency (issue #19 item 6): for each in-service member the
agency sent, the community they reported to, the posts they held, the hours approved in the quarter,
the ratings and the community's comments. The same rows make the page, the Excel file and the PDF,
and `member_hours` feeds the assessment metric (metric:volunteer_hours, ADR 1911)."""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from xiachen.accounts.permissions import scope_paths
from xiachen.audit import services as audit
from xiachen.org.models import Unit, path_within

from .enums import ClaimStatus, MemberKind, RecordStatus, RegistrationStatus
from .models import Member, PostClaim, ServiceRecord

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        return _("%(year)s年第%(n)s季度") % {"year": self.year, "n": self.number}

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def parse_quarter(text: str | None) -> Quarter | None:
    match = QUARTER.match(text or "")
    return Quarter(int(match[1]), int(match[2])) if match else None


def recent_quarters(count: int = 6) -> list[Quarter]:
    quarter, found = quarter_of(timezone.localdate()), []
    for _index in range(count):
        found.append(quarter)
        quarter = quarter.previous()
    return found


def agencies_for(user):
    return Unit.objects.within_any(scope_paths(user, "volunteers.agency_feedback")).filter(
        kind__code="agency").order_by("path")


@dataclass
class Row:
    name: str
    community: str
    status: str
    posts: list[str] = field(default_factory=list)
    services: int = 0
    hours: float = 0.0
    points: int = 0
    rating: float | None = None
    comments: list[str] = field(default_factory=list)


HEADERS = [_lazy("姓名"), _lazy("报到社区"), _lazy("报到状态"), _lazy("认领岗位"), _lazy("服务次数"),
           _lazy("服务时长（小时）"), _lazy("获得积分"), _lazy("平均评分"), _lazy("社区评价")]


def rows_for(agency: Unit, quarter: Quarter) -> list[Row]:
    """One row per in-service member of the agency (and its departments), by name (three queries)."""
    members = list(Member.objects.filter(
        path_within([agency.path], field="agency__path"), kind=MemberKind.PARTY_MEMBER,
    ).exclude(status=RegistrationStatus.RETURNED).select_related("community").order_by("name", "id"))
    rows = {m.pk: Row(name=m.name, community=m.community.name, status=m.get_status_display()) for m in members}
    claims = PostClaim.objects.filter(member_id__in=rows, created_at__date__lte=quarter.end).filter(
        Q(status=ClaimStatus.ACTIVE) | Q(released_at__date__gte=quarter.start)).select_related("post")
    for claim in claims:
        rows[claim.member_id].posts.append(claim.post.title)
    records = ServiceRecord.objects.filter(
        member_id__in=rows, status=RecordStatus.APPROVED, served_on__gte=quarter.start, served_on__lte=quarter.end)
    totals = records.values("member_id").annotate(n=Count("id"), minutes=Sum("minutes"), points=Sum("points"),
                                                 rating=Avg("rating"))
    for total in totals:
        row = rows[total["member_id"]]
        row.services, row.hours = total["n"], round((total["minutes"] or 0) / 60, 1)
        row.points = total["points"] or 0
        row.rating = round(total["rating"], 1) if total["rating"] is not None else None
    for member_id, comment in records.exclude(comment="").order_by("served_on", "id").values_list(
            "member_id", "comment"):
        rows[member_id].comments.append(comment)
    return list(rows.values())


def summary(rows: list[Row]) -> dict:
    active = [row for row in rows if row.services]
    rated = [row.rating for row in rows if row.rating is not None]
    return {"members": len(rows), "active": len(active), "hours": round(sum(row.hours for row in rows), 1),
            "rating": round(sum(rated) / len(rated), 1) if rated else None}


def _cells(row: Row) -> list:
    return [row.name, row.community, row.status, "、".join(row.posts), row.services, row.hours, row.points,
            row.rating if row.rating is not None else "", "；".join(row.comments)]


def workbook(*, by, agency: Unit, quarter: Quarter) -> bytes:
    from xiachen.core.excel import build_workbook

    rows = rows_for(agency, quarter)
    content = build_workbook([str(h) for h in HEADERS], [_cells(row) for row in rows],
                             title=_("%(code)s服务反馈") % {"code": quarter.code})
    audit.record(actor=by, action="volunteers.feedback_exported", target=agency,
                 fields={"quarter": quarter.code, "format": "xlsx", "rows": len(rows)})
    return content


def pdf(*, by, agency: Unit, quarter: Quarter) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    rows = rows_for(agency, quarter)
    html = render_to_string("volunteers/feedback_pdf.html", {
        "agency": agency, "quarter": quarter, "rows": rows, "summary": summary(rows),
        "headers": [str(h) for h in HEADERS], "cells": [_cells(row) for row in rows],
        "printed": timezone.localdate()})
    content = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).render().write_pdf()
    audit.record(actor=by, action="volunteers.feedback_exported", target=agency,
                 fields={"quarter": quarter.code, "format": "pdf", "rows": len(rows)})
    return content


def member_hours(cadre_id: int, start: date, end: date) -> Decimal | None:
    """Approved volunteer hours of the members linked to a cadre record in [start, end]; None when the
    cadre has not reported to any community (no data, not zero)."""
    members = Member.objects.filter(cadre_id=cadre_id).exclude(status=RegistrationStatus.RETURNED)
    if not members.exists():
        return None
    minutes = ServiceRecord.objects.filter(member__in=members, status=RecordStatus.APPROVED, served_on__gte=start,
                                           served_on__lte=end).aggregate(total=Sum("minutes"))["total"] or 0
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.1"))
