"""Navigation by role: each role sees the sections it can use."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .permissions import has_permission, roles_of

SECTIONS = [
    ("units.view", "org:list", _("单位")),
    ("cadres.view", "cadres:list", _("干部")),
    ("households.view", "households:list", _("住户")),
    ("deployments.view", "deployments:rounds", _("派驻轮次")),
    ("deployments.manage_demands", "deployments:demands", _("岗位需求")),
    ("deployments.confirm_nominations", "deployments:nominations", _("拟派确认")),
    ("audit.view", "audit:list", _("审计日志")),
    ("accounts.view", "accounts:users", _("用户")),
]


def add_section(permission: str, url_name: str, label, *, before: str = "audit.view") -> None:
    """Let an app add its entry to the navigation (from AppConfig.ready()), ahead of `before`."""
    position = next((i for i, section in enumerate(SECTIONS) if section[0] == before), len(SECTIONS))
    SECTIONS.insert(position, (permission, url_name, label))


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    items = [{"url": reverse(name), "label": label} for perm, name, label in SECTIONS if has_permission(user, perm)]
    return {"nav_items": items, "user_roles": sorted(roles_of(user))}
