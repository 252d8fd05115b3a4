"""Reads for the system administrator's pages (accounts, lockouts, grants) and the unit picker."""

from uuid import UUID

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xiachen.core.text import name_query
from xiachen.org.models import Unit

from .models import GrantStatus, Membership, RoleGrant, User
from .permissions import has_permission, require_permission, scope_paths

USER_STATUSES = ("active", "disabled", "must_change")


def accounts_for_admin(user: User, *, query: str = "", role: str = "", status: str = "") -> QuerySet[User]:
    """Accounts with their memberships, filtered by name, role and status. Requires `accounts.view`."""
    require_permission(user, "accounts.view")
    accounts = User.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.filter(is_active=True).select_related("unit"))
    ).order_by("username")
    if query:
        accounts = accounts.filter(Q(username__icontains=query) | Q(display_name__icontains=name_query(query)))
    if role:
        accounts = accounts.filter(memberships__role=role, memberships__is_active=True).distinct()
    if status == "active":
        accounts = accounts.filter(is_active=True)
    elif status == "disabled":
        accounts = accounts.filter(is_active=False)
    elif status == "must_change":
        accounts = accounts.filter(must_change_password=True)
    return accounts


def access_account(user: User, public_id: UUID) -> User:
    require_permission(user, "accounts.view")
    return get_object_or_404(User, public_id=public_id)


def memberships_of(account: User) -> QuerySet[Membership]:
    """Active memberships first, then withdrawn ones (kept as history)."""
    return account.memberships.select_related("unit").order_by("-is_active", "role", "unit__path")


def locked_attempts() -> list[AccessAttempt]:
    """Sign-in records django-axes currently locks out: enough failures within the cool-off time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return list(
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since)
        .order_by("-attempt_time")
    )


def is_locked(account: User) -> bool:
    return any(attempt.username == account.username for attempt in locked_attempts())


def pending_grants(user: User) -> QuerySet[RoleGrant]:
    require_permission(user, "accounts.view")
    return RoleGrant.objects.filter(status=GrantStatus.PENDING).select_related("user", "unit", "requested_by")


def access_grant(user: User, public_id: UUID) -> RoleGrant:
    return get_object_or_404(pending_grants(user), public_id=public_id)


def grants_of(account: User) -> QuerySet[RoleGrant]:
    return account.role_grants.select_related("unit", "requested_by", "decided_by")


def access_membership(user: User, public_id: UUID) -> Membership:
    require_permission(user, "accounts.view")
    return get_object_or_404(Membership.objects.select_related("user", "unit"), public_id=public_id)


# --- the unit picker ----------------------------------------------------------------------------

PICKER_PERMISSIONS = ("accounts.manage", "audit.view")
PICKER_LIMIT = 20


def can_pick_units(user: User) -> bool:
    return any(has_permission(user, permission) for permission in PICKER_PERMISSIONS)


def pick_units(user: User, *, query: str) -> list[tuple[Unit, str]]:
    """Up to 20 units whose name contains `query` (or whose code starts with it), each with its
    full name from the top of the tree, within the user's administration or audit scope."""
    paths = sorted({path for permission in PICKER_PERMISSIONS for path in scope_paths(user, permission)})
    query = query.strip()
    if not paths or not query:
        return []
    in_scope = Q()
    for path in paths:
        in_scope |= Q(path__startswith=path)
    units = list(
        Unit.objects.filter(in_scope).filter(Q(name__icontains=query) | Q(code__startswith=query))
        .select_related("kind").order_by("depth", "path")[:PICKER_LIMIT]
    )
    return [(unit, label) for unit, label in zip(units, full_names(units), strict=True)]


def full_names(units: list[Unit]) -> list[str]:
    """'武汉市 / 江岸区 / 大智街道 / 车站路社区' for each unit, with one query for all ancestors."""
    codes = {code for unit in units for code in unit.path.strip("/").split("/")}
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
    return [" / ".join(names.get(code, code) for code in unit.path.strip("/").split("/")) for unit in units]


def unit_by_public_id(user: User, value: str) -> Unit | None:
    """The unit a picker submitted, if it exists and lies inside the user's picker scope."""
    try:
        public_id = UUID(str(value))
    except ValueError:
        return None
    unit = Unit.objects.filter(public_id=public_id).first()
    if unit is None:
        return None
    paths = {path for permission in PICKER_PERMISSIONS for path in scope_paths(user, permission)}
    return unit if any(unit.path.startswith(path) for path in paths) else None
