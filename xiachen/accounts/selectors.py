"""The key numbers each role sees on its home page, computed inside the user's scope."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from .enums import Role
from .permissions import active_memberships


@dataclass
class HomePanel:
    role: str
    role_label: str
    unit_name: str
    numbers: list[tuple[str, object]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)


def home_panels(user) -> list[HomePanel]:
    """One panel per active membership, with counts limited to that membership's unit subtree."""
    panels = []
    for membership in active_memberships(user):
        panel = HomePanel(role=membership.role, role_label=Role(membership.role).label, unit_name=membership.unit.name)
        PANEL_BUILDERS[membership.role](panel, membership, user)
        panels.append(panel)
    return panels


def _unit_counts(panel: HomePanel, unit) -> None:
    from xiachen.org.models import Unit

    counts = dict(
        Unit.objects.subtree_of(unit).values_list("kind__code").annotate(n=Count("id")).values_list("kind__code", "n")
    )
    for code, label in (
        ("district", _("区")),
        ("street", _("街道/乡镇")),
        ("community", _("社区")),
        ("compound", _("小区")),
        ("agency", _("机关单位")),
    ):
        if counts.get(code):
            panel.numbers.append((label, counts[code]))


def _org_department(panel, membership, user) -> None:
    from xiachen.cadres.models import Cadre
    from xiachen.households.models import Resident

    _unit_counts(panel, membership.unit)
    panel.numbers.append((_("在册干部"), Cadre.objects.filter(agency_path__startswith=membership.unit.path).count()))
    panel.numbers.append((_("居民"), Resident.objects.filter(compound_path__startswith=membership.unit.path).count()))
    panel.links = [("cadres:list", _("干部名册")), ("org:list", _("单位树")), ("cadres:import", _("导入干部"))]


def _agency_liaison(panel, membership, user) -> None:
    from xiachen.cadres.models import Cadre

    cadres = Cadre.objects.filter(agency_path__startswith=membership.unit.path)
    panel.numbers.append((_("本单位干部"), cadres.count()))
    panel.numbers.append((_("其中在职"), cadres.filter(is_active=True).count()))
    panel.links = [("cadres:list", _("干部名册")), ("cadres:import", _("导入干部"))]


def _unit_manager(panel, membership, user) -> None:
    from xiachen.households.models import Household, Resident

    path = membership.unit.path
    panel.numbers.append((_("住户"), Household.objects.filter(compound_path__startswith=path).count()))
    panel.numbers.append((_("居民"), Resident.objects.filter(compound_path__startswith=path).count()))
    panel.numbers.append(
        (
            _("需关照居民"),
            Resident.objects.filter(compound_path__startswith=path, vulnerabilities__isnull=False).distinct().count(),
        )
    )
    panel.links = [("households:list", _("住户名册"))]
    if membership.role == Role.UNIT_MANAGER:
        panel.links.append(("households:import", _("导入住户")))


def _cadre(panel, membership, user) -> None:
    cadre = getattr(user, "cadre", None)
    if cadre is None:
        return
    panel.numbers.append((_("派出单位"), cadre.agency.name))
    panel.numbers.append((_("专长"), "、".join(s.label for s in cadre.specialties.all()) or "—"))
    panel.numbers.append((_("下沉经历"), cadre.service_records.count()))


def _hotline_operator(panel, membership, user) -> None:
    _unit_counts(panel, membership.unit)


def _resident(panel, membership, user) -> None:
    resident = getattr(user, "resident", None)
    if resident is None:
        return
    panel.numbers.append((_("住址"), f"{resident.household.compound.name} {resident.household.address_label}"))
    panel.numbers.append((_("家庭成员"), resident.household.residents.count()))


def _security_auditor(panel, membership, user) -> None:
    from xiachen.audit.models import AuditEvent

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    panel.numbers.append((_("今日审计事件"), AuditEvent.objects.filter(at__gte=start).count()))
    panel.numbers.append((_("审计事件总数"), AuditEvent.objects.count()))
    panel.links = [("audit:list", _("审计日志"))]


def _system_admin(panel, membership, user) -> None:
    from axes.models import AccessAttempt

    from .models import User

    panel.numbers.append((_("用户"), User.objects.count()))
    panel.numbers.append((_("停用账号"), User.objects.filter(is_active=False).count()))
    panel.numbers.append((_("登录失败记录"), AccessAttempt.objects.count()))
    panel.links = [("accounts:users", _("用户管理"))]


PANEL_BUILDERS = {
    Role.ORG_DEPARTMENT: _org_department,
    Role.AGENCY_LIAISON: _agency_liaison,
    Role.UNIT_MANAGER: _unit_manager,
    Role.COMMUNITY_WORKER: _unit_manager,
    Role.CADRE: _cadre,
    Role.HOTLINE_OPERATOR: _hotline_operator,
    Role.RESIDENT: _resident,
    Role.SECURITY_AUDITOR: _security_auditor,
    Role.SYSTEM_ADMIN: _system_admin,
}


def ancestor_paths(path: str) -> list[str]:
    """'/a/b/c/' → ['/a/', '/a/b/', '/a/b/c/']: the units whose subtree contains `path`."""
    codes = path.strip("/").split("/")
    return ["/" + "/".join(codes[: index + 1]) + "/" for index in range(len(codes))]


def users_with_role_over(role: str, unit_path: str):
    """Active users holding `role` on the unit at `unit_path` or any unit above it (one query)."""
    from .models import User

    return User.objects.filter(
        is_active=True, memberships__role=role, memberships__is_active=True,
        memberships__unit__path__in=ancestor_paths(unit_path),
    ).distinct()
