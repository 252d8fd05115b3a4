"""The home page as an inbox (待办): for each role the user holds, the work waiting today.

Every count comes from the owning app's scoped selector (so it never shows more than the user may
open) and links to the list, filtered the same way, where the work is done. Each builder costs a
fixed number of queries, whatever the size of the city: counts, not rows, except for a few short,
sliced lists (today's shifts, unread messages, where an agency's cadres are). ADR 1402.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .enums import Role
from .permissions import active_memberships, has_permission

TICKET_DUE_SOON = timedelta(hours=24)  # a ticket whose deadline falls within this is "near its deadline"
POLICY_COMMUNITIES_CHECKED = 5  # read receipts are counted for at most this many communities per manager


@dataclass
class Todo:
    """One kind of waiting work: how many, where to do it, and whether it is late."""

    label: str
    count: int
    url: str
    urgent: bool = False


@dataclass
class Row:
    """A line of a short list on the home page (a shift, a message, a place)."""

    text: str
    url: str = ""
    note: str = ""


@dataclass
class HomePanel:
    role: str
    role_label: str | Promise
    unit_name: str
    todos: list[Todo] = field(default_factory=list)
    rows_title: str = ""
    rows: list[Row] = field(default_factory=list)
    empty_rows: str = ""
    numbers: list[tuple[str, object]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        return sum(todo.count for todo in self.todos)


def link(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def home_panels(user) -> list[HomePanel]:
    """One panel per role the user holds (units of several memberships in one role are joined)."""
    by_role: dict[str, list] = {}
    for membership in active_memberships(user):
        by_role.setdefault(membership.role, []).append(membership)
    panels = []
    for role in Role.values:  # a fixed order: the organization department first, the administrator last
        memberships = by_role.get(role)
        if not memberships:
            continue
        panel = HomePanel(
            role=role, role_label=Role(role).label, unit_name="、".join(m.unit.name for m in memberships[:3])
        )
        BUILDERS[Role(role)](panel, memberships, user)
        # Waiting work first (urgent before the rest), then what is done; otherwise the builder's order.
        panel.todos.sort(key=lambda todo: (todo.count == 0, not todo.urgent))
        panels.append(panel)
    return panels


# --- shared pieces ------------------------------------------------------------------------------


def _unread_messages(panel: HomePanel, user, *, rows: bool) -> None:
    from xiachen.notices.models import Notification

    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    count = unread.count()
    panel.todos.append(Todo(_("未读消息"), count, reverse("notices:inbox")))
    if rows and count:
        for notification in unread.order_by("-created_at", "-id")[:3]:
            panel.rows.append(Row(notification.title, reverse("notices:inbox"), _("未读消息")))


def _my_errands_and_visits(panel: HomePanel, user) -> None:
    from xiachen.errands.enums import OPEN_ERRAND_STATUSES
    from xiachen.errands.quarantine import visits_for
    from xiachen.errands.selectors import my_round

    # Delivered errands wait for the resident's confirmation: nothing left for the person who delivered.
    waiting = my_round(user).filter(status__in=OPEN_ERRAND_STATUSES)
    panel.todos.append(Todo(_("分派给我的代办"), waiting.count(), reverse("errands:mine")))
    visits = visits_for(user)
    panel.todos.append(Todo(_("我的待走访"), visits.count(), reverse("errands:visits"),
                            urgent=visits.filter(day__lt=timezone.localdate()).exists()))


def _policy_to_read(panel: HomePanel, user) -> None:
    """Gate staff confirm they have read the pass policy in force where they work (two queries)."""
    from xiachen.passes.models import PolicyVersion
    from xiachen.passes.selectors import policies_visible_to

    now = timezone.now()
    in_force = PolicyVersion.objects.filter(community=OuterRef("community"), effective_at__lte=now).order_by(
        "-effective_at", "-number").values("pk")[:1]
    unread = (policies_visible_to(user).filter(pk=Subquery(in_force)).exclude(acknowledgements__user=user)
              .order_by("community_path"))
    count = unread.count()
    first = unread.first() if count else None
    if first is not None:
        panel.todos.append(Todo(_("待确认阅读的通行政策"), count,
                                reverse("passes:policy_detail", args=[first.public_id])))


# --- roles --------------------------------------------------------------------------------------


def _volunteer_work(panel: HomePanel, user) -> None:
    """双报到: registrations to confirm and service hours to approve in the manager's communities."""
    from xiachen.volunteers.enums import RecordStatus, RegistrationStatus
    from xiachen.volunteers.selectors import members_reviewable_by, records_managed_by

    panel.todos += [
        Todo(_("报到待确认"), members_reviewable_by(user).filter(status=RegistrationStatus.PENDING).count(),
             link("volunteers:members", status=RegistrationStatus.PENDING)),
        Todo(_("服务时长待审核"), records_managed_by(user).filter(status=RecordStatus.PENDING).count(),
             link("volunteers:records", status=RecordStatus.PENDING)),
    ]


def _unit_manager(panel: HomePanel, memberships, user) -> None:
    from xiachen.errands.enums import VisitStatus
    from xiachen.errands.models import VisitTask
    from xiachen.errands.quarantine import episodes_due
    from xiachen.errands.selectors import errand_list
    from xiachen.org.models import path_within
    from xiachen.passes.enums import AlertStatus, CorrectionStatus
    from xiachen.passes.selectors import corrections_visible_to, disagreements_visible_to, fever_alerts_visible_to
    from xiachen.rosters.enums import ReplacementStatus
    from xiachen.rosters.selectors import alerts_visible_to, replacements_visible_to

    from .permissions import scope_paths

    today = timezone.localdate()
    panel.todos += [
        Todo(_("待派单的代办"), errand_list(user, unassigned=True).count(), link("errands:list", unassigned=1)),
        Todo(_("超时未办结的代办"), errand_list(user, overdue=True).count(), link("errands:list", overdue=1),
             urgent=True),
        Todo(_("发热预警待跟进"), fever_alerts_visible_to(user).filter(status=AlertStatus.OPEN).count(),
             link("passes:fever", open=1), urgent=True),
        Todo(_("核验不一致待处理"), disagreements_visible_to(user).filter(resolved_at__isnull=True).count(),
             link("passes:disagreements", open=1)),
        Todo(_("今日待走访"), VisitTask.objects.filter(
            path_within(scope_paths(user, "errands.dispatch"), field="compound_path"),
            status=VisitStatus.PENDING, day__lte=today).count(), reverse("errands:operations")),
        Todo(_("到期待确认结束的隔离 / 监测"), episodes_due(user, today=today).count(),
             reverse("errands:episodes_due")),
    ]
    _tickets_due_soon(panel, user)
    panel.todos += [
        Todo(_("排班缺口（待安排替班）"), replacements_visible_to(user).filter(status=ReplacementStatus.OPEN).count(),
             reverse("rosters:alerts")),
        Todo(_("近 7 天关怀提醒"), alerts_visible_to(user).filter(day__gte=today - timedelta(days=7)).count(),
             reverse("rosters:alerts")),
        Todo(_("居民更正申请待答复"), corrections_visible_to(user).filter(status=CorrectionStatus.OPEN).count(),
             reverse("passes:corrections")),
    ]
    _volunteer_work(panel, user)
    _policy_read_receipts(panel, user)
    _arrivals_due(panel, memberships, user)
    panel.links = [("errands:operations", _("今日运行")), ("passes:scans", _("扫码记录")),
                   ("households:list", _("住户名册"))]


def _tickets_due_soon(panel: HomePanel, user) -> None:
    from xiachen.hotline.selectors import search_tickets

    if has_permission(user, "hotline.view"):
        panel.todos.append(Todo(_("临近办理时限的工单"), search_tickets(user, due="soon").count(),
                                link("hotline:tickets", due="soon"), urgent=True))


def _policy_read_receipts(panel: HomePanel, user) -> None:
    """Gate staff who have not yet confirmed reading the policy in force (a few communities at most)."""
    from xiachen.passes.selectors import communities_for, policy_in_force, unacknowledged_staff

    now = timezone.now()
    missing, first = 0, None
    for community in communities_for(user, "passes.manage_policy")[:POLICY_COMMUNITIES_CHECKED]:
        version = policy_in_force(community, now)
        if version is None:
            continue
        unread = unacknowledged_staff(version).count()
        if unread and first is None:
            first = version
        missing += unread
    url = reverse("passes:policy_detail", args=[first.public_id]) if first else reverse("passes:policies")
    panel.todos.append(Todo(_("未确认阅读通行政策的人员"), missing, url))


def _arrivals_due(panel: HomePanel, memberships, user) -> None:
    """Cadres published to the manager's units, due by today, not yet arrived; the 报到 code page lists them."""
    from xiachen.deployments.enums import MatchStatus
    from xiachen.deployments.models import Match
    from xiachen.org.models import path_within

    from .permissions import scope_paths

    units = [m.unit for m in memberships]
    due = Match.objects.filter(
        path_within(scope_paths(user, "deployments.manage_demands"), field="demand__unit_path"),
        status=MatchStatus.CONFIRMED, round__status="published", demand__start__lte=timezone.localdate(),
    ).count()
    if units:
        code_page = reverse("deployments:checkin_code", args=[units[0].public_id])
        panel.todos.append(Todo(_("待报到的下沉干部"), due, code_page))


def _community_worker(panel: HomePanel, memberships, user) -> None:
    _my_errands_and_visits(panel, user)
    _policy_to_read(panel, user)
    _unread_messages(panel, user, rows=True)
    panel.rows_title = _("最新未读消息")
    panel.links = [("errands:list", _("社区代办")), ("gate:index", _("门岗核验")), ("households:list", _("住户名册"))]


def _cadre(panel: HomePanel, memberships, user) -> None:
    from xiachen.deployments.enums import MatchStatus
    from xiachen.deployments.round_selectors import my_matches
    from xiachen.rosters.selectors import my_assignments

    today = timezone.localdate()
    panel.rows_title = _("今日班次")
    panel.empty_rows = _("今天没有排班")
    for assignment in my_assignments(user).filter(day=today)[:5]:
        shift = assignment.shift
        panel.rows.append(Row(
            f"{shift.name} {shift.start:%H:%M}–{shift.end_time:%H:%M} · {assignment.roster.post.unit.name}",
            reverse("rosters:mine"), assignment.roster.post.post_type.label,
        ))
    due = my_matches(user).filter(status=MatchStatus.CONFIRMED, round__status="published",
                                  demand__start__lte=today).count()
    panel.todos.append(Todo(_("待报到"), due, reverse("deployments:mine"), urgent=True))
    _my_errands_and_visits(panel, user)
    _policy_to_read(panel, user)
    _unread_messages(panel, user, rows=False)
    panel.links = [("rosters:mine", _("我的排班")), ("deployments:mine", _("我的派驻与报到")),
                   ("gate:index", _("门岗核验"))]


def _agency_liaison(panel: HomePanel, memberships, user) -> None:
    from xiachen.deployments.enums import MatchStatus
    from xiachen.deployments.models import Match
    from xiachen.deployments.round_selectors import nominations_for
    from xiachen.org.models import path_within
    from xiachen.policies.enums import FeedbackStatus
    from xiachen.policies.selectors import feedback_to_answer

    from .permissions import scope_paths

    panel.todos.append(Todo(_("待确认的拟派干部"), nominations_for(user).filter(status=MatchStatus.PROPOSED).count(),
                            reverse("deployments:nominations"), urgent=True))
    if has_permission(user, "policies.answer_feedback"):
        panel.todos.append(Todo(_("待答复的政策反馈"),
                                feedback_to_answer(user).filter(status=FeedbackStatus.OPEN).count(),
                                reverse("policies:inbox")))
    # Where the agency's cadres are now: published placements by receiving unit, biggest first.
    places = (
        Match.objects.filter(
            path_within(scope_paths(user, "deployments.confirm_nominations"), field="agency_path"),
            status__in=[MatchStatus.CONFIRMED, MatchStatus.ARRIVED], round__status="published",
        )
        .values("demand__unit__name")
        .annotate(n=Count("pk"), arrived=Count("pk", filter=Q(status=MatchStatus.ARRIVED)))
        .order_by("-n", "demand__unit__name")
    )
    panel.rows_title = _("本单位干部现在在哪里")
    panel.empty_rows = _("目前没有已发布的派驻")
    for place in places[:8]:
        panel.rows.append(Row(
            place["demand__unit__name"], reverse("deployments:rounds"),
            _("%(n)d 人，已报到 %(arrived)d 人") % {"n": place["n"], "arrived": place["arrived"]},
        ))
    panel.links = [("deployments:nominations", _("拟派确认")), ("cadres:list", _("干部名册")),
                   ("deployments:rounds", _("派驻轮次")), ("assessments:index", _("考核结果与年度汇总"))]


def _org_department(panel: HomePanel, memberships, user) -> None:
    from xiachen.deployments.enums import DemandStatus, RoundStatus
    from xiachen.deployments.models import Unfilled
    from xiachen.deployments.round_selectors import rounds_visible_to
    from xiachen.deployments.selectors import demands_visible_to
    from xiachen.policies.selectors import ledger_items

    waiting = (RoundStatus.DRAFT, RoundStatus.MATCHING, RoundStatus.REVIEW)
    rounds = rounds_visible_to(user)
    panel.todos += [
        Todo(_("待处理的轮次（草稿、匹配中、待审核）"), rounds.filter(status__in=waiting).count(),
             reverse("deployments:rounds")),
        Todo(_("未满足的岗位空缺"), Unfilled.objects.filter(
            round__in=rounds.filter(status__in=(*waiting, RoundStatus.PUBLISHED))
        ).aggregate(n=Sum("places"))["n"] or 0, reverse("deployments:rounds"), urgent=True),
        Todo(_("待纳入轮次的岗位需求"), demands_visible_to(user).filter(status=DemandStatus.OPEN).count(),
             reverse("deployments:demands")),
        Todo(_("逾期未答复的政策反馈"), ledger_items(user, state="overdue").count(),
             link("policies:ledger", state="overdue"), urgent=True),
    ]
    panel.links = [("deployments:demands", _("岗位需求")), ("deployments:affinity", _("单位与岗位匹配度")),
                   ("dashboards:city", _("数据看板"))]


def _hotline_operator(panel: HomePanel, memberships, user) -> None:
    from xiachen.hotline.enums import TicketStatus
    from xiachen.hotline.selectors import search_tickets

    panel.todos += [
        Todo(_("已办结待回访的工单"), search_tickets(user, status=TicketStatus.RESOLVED).count(),
             link("hotline:tickets", status=TicketStatus.RESOLVED), urgent=True),
        Todo(_("待派单的工单"), search_tickets(user, status=TicketStatus.NEW).count(),
             link("hotline:tickets", status=TicketStatus.NEW)),
        Todo(_("争议待裁定的工单"), search_tickets(user, status=TicketStatus.DISPUTED).count(),
             link("hotline:tickets", status=TicketStatus.DISPUTED)),
        Todo(_("退单待审核的工单"), search_tickets(user, status=TicketStatus.RETURNED).count(),
             link("hotline:tickets", status=TicketStatus.RETURNED), urgent=True),
        Todo(_("临近办理时限的工单"), search_tickets(user, due="soon").count(), link("hotline:tickets", due="soon")),
    ]
    panel.links = [("hotline:ticket_new", _("登记来电")), ("hotline:tickets", _("全部工单")),
                   ("hotline:rates", _("三率排名"))]


def _resident(panel: HomePanel, memberships, user) -> None:
    resident = getattr(user, "resident", None)
    if resident is None:
        return
    panel.numbers.append((_("住址"), f"{resident.household.compound.name} {resident.household.address_label}"))
    panel.numbers.append((_("家庭成员"), resident.household.residents.count()))


def _security_auditor(panel: HomePanel, memberships, user) -> None:
    from xiachen.audit.models import AuditEvent

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    panel.numbers.append((_("今日审计事件"), AuditEvent.objects.filter(at__gte=start).count()))
    panel.numbers.append((_("审计事件总数"), AuditEvent.objects.count()))
    panel.links = [("audit:list", _("审计日志"))]


def _system_admin(panel: HomePanel, memberships, user) -> None:
    from axes.models import AccessAttempt

    from .models import User

    panel.numbers.append((_("用户"), User.objects.count()))
    panel.numbers.append((_("停用账号"), User.objects.filter(is_active=False).count()))
    panel.numbers.append((_("登录失败记录"), AccessAttempt.objects.count()))
    panel.links = [("accounts:users", _("用户管理")), ("ops:calendar", _("工作日历"))]


BUILDERS = {
    Role.ORG_DEPARTMENT: _org_department,
    Role.AGENCY_LIAISON: _agency_liaison,
    Role.UNIT_MANAGER: _unit_manager,
    Role.COMMUNITY_WORKER: _community_worker,
    Role.CADRE: _cadre,
    Role.HOTLINE_OPERATOR: _hotline_operator,
    Role.RESIDENT: _resident,
    Role.SECURITY_AUDITOR: _security_auditor,
    Role.SYSTEM_ADMIN: _system_admin,
}
