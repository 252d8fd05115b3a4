"""Statistics of 双报到 (issue #19 item 7), in the dashboards' form (xiachen.dashboards.charts.Chart):
members reported, members active in the last 90 days, hours by agency and by community, and how long
call-outs took to fill. Everything is read in the user's scope (volunteers.view_members)."""

from datetime import timedelta
from statistics import median

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import scope_paths
from xiachen.dashboards.charts import Chart
from xiachen.org.models import path_within

from .enums import CallOutStatus, InviteReply, RecordStatus, RegistrationStatus
from .models import CallOut, CallOutInvite, Member, ServiceRecord

ACTIVE_DAYS = 90
TOP = 20


def _scope(user) -> list[str]:
    return scope_paths(user, "volunteers.view_members")


def _members(paths):
    return Member.objects.filter(path_within(paths, field="community_path") | path_within(paths, field="agency__path"))


def _records(paths):
    return ServiceRecord.objects.filter(
        path_within(paths, field="community_path") | path_within(paths, field="member__agency__path"))


def figures(user, *, today=None) -> dict:
    today = today or timezone.localdate()
    since = today - timedelta(days=ACTIVE_DAYS)
    paths = _scope(user)
    members = _members(paths).filter(status=RegistrationStatus.CONFIRMED)
    reported = members.count()
    active_ids = set(_records(paths).filter(served_on__gte=since).values_list("member_id", flat=True))
    active_ids |= set(CallOutInvite.objects.filter(member__in=members, reply=InviteReply.YES,
                                                   replied_at__date__gte=since).values_list("member_id", flat=True))
    approved = _records(paths).filter(status=RecordStatus.APPROVED, served_on__gte=since)
    minutes = approved.aggregate(total=Sum("minutes"))["total"] or 0
    fills = fill_minutes(paths)
    active = len(active_ids & set(members.values_list("pk", flat=True)))
    return {
        "since": since, "today": today,
        "kpis": [
            {"id": "reported", "label": _("已报到成员"), "value": reported},
            {"id": "active", "label": _("近90天参与服务"), "value": active},
            {"id": "hours", "label": _("近90天服务时长（小时）"), "value": round(minutes / 60, 1)},
            {"id": "fill", "label": _("动员满员用时中位数（分钟）"),
             "value": round(median(m for _title, m in fills)) if fills else _("暂无数据")},
        ],
        "charts": [
            _by(approved, "member__agency__name", "by-agency", _("近90天服务时长：按报到单位"), _("报到单位")),
            _by(approved, "community__name", "by-community", _("近90天服务时长：按社区"), _("社区")),
            _members_chart(_members(paths)),
            Chart(id="fill", title=_("最近动员的满员用时"), kind="bar", x_title=_("动员事项"),
                  x=[title for title, _m in fills[-TOP:]],
                  series=[{"name": _("满员用时（分钟）"), "data": [m for _t, m in fills[-TOP:]]}], unit=_("分钟")),
        ],
    }


def _by(records, field: str, chart_id: str, title: str, x_title: str) -> Chart:
    rows = list(records.values(field).annotate(minutes=Sum("minutes")).order_by("-minutes")[:TOP])
    return Chart(id=chart_id, title=title, kind="bar", x_title=x_title,
                 x=[row[field] or _("（居民志愿者）") for row in rows],
                 series=[{"name": _("服务时长（小时）"), "data": [round(row["minutes"] / 60, 1) for row in rows]}],
                 unit=_("小时"))


def _members_chart(members) -> Chart:
    rows = list(members.values("community__name").annotate(
        reported=Count("id", filter=Q(status=RegistrationStatus.CONFIRMED)),
        pending=Count("id", filter=Q(status=RegistrationStatus.PENDING)),
    ).order_by("-reported")[:TOP])
    return Chart(id="members", title=_("报到成员：按社区"), kind="stack", x_title=_("社区"),
                 x=[row["community__name"] for row in rows],
                 series=[{"name": _("已确认"), "data": [row["reported"] for row in rows]},
                         {"name": _("待确认"), "data": [row["pending"] for row in rows]}], unit=_("人"))


def fill_minutes(paths) -> list[tuple[str, int]]:
    """(title, minutes from sending to filling) of the filled call-outs in scope, oldest first."""
    call_outs = CallOut.objects.filter(path_within(paths, field="area_path"), filled_at__isnull=False,
                                       sent_at__isnull=False).exclude(status=CallOutStatus.DRAFT)
    return [(title, max(0, round((filled - sent).total_seconds() / 60)))
            for title, sent, filled in call_outs.order_by("filled_at").values_list("title", "sent_at", "filled_at")]
