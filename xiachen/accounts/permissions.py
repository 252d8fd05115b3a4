"""What each role may do, and where. The one table every selector and service consults.

A permission holds in the subtree of the unit of each membership whose role grants it; the
organization department's membership sits on the city, so its scope is the whole city.
"""

from django.core.exceptions import PermissionDenied

from .enums import Role

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ORG_DEPARTMENT: frozenset(
        {
            "units.view",
            "units.edit",
            "units.import",
            "cadres.view",
            "cadres.edit",
            "cadres.import",
            "cadres.show_personal",
            "cadres.export_full",
            "households.view",
            "dashboard.city",
            "deployments.view",
            "deployments.run_rounds",
            "deployments.edit_affinity",
        }
    ),
    Role.AGENCY_LIAISON: frozenset(
        {
            "units.view",
            "cadres.view",
            "cadres.edit",
            "cadres.import",
            "cadres.show_personal",
            "cadres.export_full",
            "deployments.view",
            "deployments.confirm_nominations",
        }
    ),
    Role.UNIT_MANAGER: frozenset(
        {
            "units.view",
            "households.view",
            "households.edit",
            "households.import",
            "households.show_personal",
            "households.export_full",
            "deployments.view",
            "deployments.manage_demands",
        }
    ),
    Role.COMMUNITY_WORKER: frozenset({"units.view", "households.view", "households.show_personal"}),
    Role.CADRE: frozenset({"units.view"}),
    Role.HOTLINE_OPERATOR: frozenset({"units.view"}),
    Role.RESIDENT: frozenset(),
    # 三权分立: the auditor reads the trail and manages nothing; the administrator manages accounts
    # and never reads the trail.
    Role.SECURITY_AUDITOR: frozenset({"audit.view", "audit.export", "audit.verify"}),
    Role.SYSTEM_ADMIN: frozenset({"accounts.view", "accounts.manage", "accounts.import"}),
}


def grant(role: str, *permissions: str) -> None:
    """Let an app add the permissions its features need to a role, from its AppConfig.ready()."""
    ROLE_PERMISSIONS[role] = frozenset(ROLE_PERMISSIONS[role] | set(permissions))


def active_memberships(user) -> list:
    """The user's active memberships with their units, fetched once per request object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_xiachen_memberships", None)
    if cached is None:
        cached = list(user.memberships.filter(is_active=True).select_related("unit"))
        user._xiachen_memberships = cached
    return cached


def roles_of(user) -> set[str]:
    return {membership.role for membership in active_memberships(user)}


def scope_paths(user, permission: str) -> list[str]:
    """Unit paths under which `user` holds `permission` (empty: nowhere). An API token's service
    account (xiachen.interop.tokens) holds only the permissions its scopes lend."""
    narrowed = getattr(user, "_xiachen_token_permissions", None)
    if narrowed is not None and permission not in narrowed:
        return []
    paths = {m.unit.path for m in active_memberships(user) if permission in ROLE_PERMISSIONS[m.role]}
    return sorted(paths)


def has_permission(user, permission: str, unit=None) -> bool:
    """True if `user` holds `permission` anywhere (unit None) or over `unit`."""
    paths = scope_paths(user, permission)
    if unit is None:
        return bool(paths)
    return any(unit.path.startswith(path) for path in paths)


def require_permission(user, permission: str, unit=None) -> None:
    if not has_permission(user, permission, unit):
        raise PermissionDenied(permission)
