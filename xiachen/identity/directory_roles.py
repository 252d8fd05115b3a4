"""Memberships that an identity source (OIDC claims, the LDAP directory) manages.

A source adds and withdraws only memberships it made (marked by DirectoryMembership); those an
administrator gave by hand are never touched. Privileged roles never come from a source: they take
a second administrator (ADR 1401), and a claim or a group is not one.
"""

from xiachen.accounts.administration import PRIVILEGED_ROLES
from xiachen.accounts.enums import Role
from xiachen.accounts.models import Membership, User
from xiachen.audit import services as audit
from xiachen.org.models import Unit

from .models import DirectoryMembership

SOURCE_ROLES = frozenset(Role) - PRIVILEGED_ROLES - {Role.RESIDENT}


def holds_privileged_role(user: User) -> bool:
    """An organization department or system administrator account is never taken over by a source:
    linking it by username would let whoever controls that name in the directory or the provider
    become it (they would still need its TOTP, but that is one factor left, not two)."""
    return user.memberships.filter(is_active=True, role__in=PRIVILEGED_ROLES).exists()


def current_directory_roles(user: User, source: str) -> set[tuple[str, str]]:
    rows = DirectoryMembership.objects.filter(membership__user=user, membership__is_active=True, source=source)
    return set(rows.values_list("membership__role", "membership__unit__code"))


def sync_directory_roles(*, user: User, source: str, wanted: set[tuple[str, str]]) -> tuple[int, int]:
    """Make the source-managed memberships of `user` equal `wanted` (role, unit code) pairs.

    Pairs naming an unknown unit or a role a source may not give are ignored. Returns (added,
    withdrawn); each change is audited with the source as the reason. Call inside a transaction.
    """
    units = {u.code: u for u in Unit.objects.filter(code__in={code for _role, code in wanted})}
    wanted = {(role, code) for role, code in wanted if role in SOURCE_ROLES and code in units}
    have = current_directory_roles(user, source)
    for role, code in wanted - have:
        _add(user=user, role=role, unit=units[code], source=source)
    for role, code in have - wanted:
        _withdraw(user=user, role=role, code=code, source=source)
    return len(wanted - have), len(have - wanted)


def _add(*, user: User, role: str, unit: Unit, source: str) -> None:
    membership, created = Membership.objects.get_or_create(user=user, role=role, unit=unit)
    if not created and membership.is_active and not hasattr(membership, "directory"):
        return  # an administrator gave it already: it stays theirs
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    DirectoryMembership.objects.get_or_create(membership=membership, defaults={"source": source})
    audit.record(actor=None, action="role.assigned", target=user,
                 fields={"role": role, "unit": unit.code, "source": source})


def _withdraw(*, user: User, role: str, code: str, source: str) -> None:
    membership = Membership.objects.get(user=user, role=role, unit__code=code)
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    audit.record(actor=None, action="role.withdrawn", target=user,
                 fields={"role": role, "unit": code, "source": source})
