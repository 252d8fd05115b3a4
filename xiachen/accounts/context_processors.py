"""Navigation by role: each role sees the sections it can use, grouped into a few menus.

A section is (permission, url name, label, group). Apps register theirs from AppConfig.ready()
with `add_section(..., group=...)`; the base template renders one menu per group that has at least
one entry the user may open (a group with a single entry is a plain link). Group order is fixed
here, entry order within a group is registration order. See ADR 1402 for the grouping.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .enums import STAFF_ROLES
from .permissions import has_permission, roles_of

GROUPS = [
    ("work", _("工作台")),
    ("people", _("人员与单位")),
    ("rounds", _("下沉轮次")),
    ("rosters", _("排班")),
    ("community", _("社区服务")),
    ("volunteers", _("双报到")),
    ("passes", _("通行")),
    ("hotline", _("热线")),
    ("assessment", _("考核与政策")),
    ("system", _("系统")),
]
GROUP_KEYS = {key for key, _label in GROUPS}

SECTIONS = [
    ("units.view", "org:list", _("单位"), "people"),
    ("cadres.view", "cadres:list", _("干部"), "people"),
    ("households.view", "households:list", _("住户"), "people"),
    ("deployments.view", "deployments:rounds", _("派驻轮次"), "rounds"),
    ("deployments.manage_demands", "deployments:demands", _("岗位需求"), "rounds"),
    ("deployments.edit_affinity", "deployments:demands", _("岗位需求"), "rounds"),
    ("deployments.edit_affinity", "deployments:affinity", _("单位与岗位匹配度"), "rounds"),
    ("deployments.confirm_nominations", "deployments:nominations", _("拟派确认"), "rounds"),
    ("audit.view", "audit:list", _("审计日志"), "system"),
    ("accounts.view", "accounts:users", _("用户"), "system"),
]

def add_section(permission: str, url_name: str, label, *, group: str = "work", before: str | None = None) -> None:
    """Let an app add its entry to the navigation (from AppConfig.ready()), in menu `group`.

    The entry goes ahead of the first entry whose permission is `before`, else at the end.
    """
    if group not in GROUP_KEYS:
        raise ValueError(f"unknown navigation group {group!r}")
    position = next((i for i, section in enumerate(SECTIONS) if section[0] == before), len(SECTIONS))
    SECTIONS.insert(position, (permission, url_name, label, group))


@dataclass
class NavGroup:
    key: str
    label: str | Promise
    items: list[dict] = field(default_factory=list)

    @property
    def single(self) -> dict | None:
        """The only entry when the group has one (rendered as a plain link, not a menu)."""
        return self.items[0] if len(self.items) == 1 else None


def nav_groups(user) -> list[NavGroup]:
    """The user's menus: for each group, the entries whose permission the user holds (no duplicates)."""
    groups = {key: NavGroup(key, label) for key, label in GROUPS}
    seen = set()
    for permission, name, label, group in SECTIONS:
        if name in seen or not has_permission(user, permission):
            continue
        seen.add(name)
        groups[group].items.append({"url": reverse(name), "label": label, "name": name})
    return [group for group in groups.values() if group.items]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": [], "is_staff_user": False}
    return {
        "nav_groups": nav_groups(user),
        # The header's message link (its unread count is fetched by htmx: notices:unread_badge).
        "is_staff_user": bool(roles_of(user) & STAFF_ROLES),
    }
