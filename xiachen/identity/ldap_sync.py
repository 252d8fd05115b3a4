"""The directory sync: people and their departments into accounts and unit memberships (ADR 1812).

`reconcile(people, apply=False)` is the dry run: it lists every change the sync would make, in the
order it would make them, without writing. `apply=True` runs the very same code and writes, so the
report an administrator confirmed is what happens (the page also checks the fingerprint of the
report, so a directory that changed in between gets a fresh report instead of a surprise).

Departments map to existing units by code: the unit tree is the organization department's, and a
directory is no way around that. People who disappear from the directory are disabled (their
sessions end), never deleted; they are enabled again if they come back and nobody else disabled them.
"""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xiachen.accounts.enums import Role
from xiachen.accounts.models import User
from xiachen.accounts.services import end_sessions_of
from xiachen.audit import services as audit
from xiachen.org.models import Unit

from .directory_roles import SOURCE_ROLES, current_directory_roles, holds_privileged_role, sync_directory_roles
from .ldap_directory import DirectoryPerson
from .models import ExternalAccount, Source

CHANGE_LABELS = {
    "create": _("新建账号"),
    "link": _("关联已有账号"),
    "update": _("更新姓名或邮箱"),
    "enable": _("重新启用"),
    "disable": _("停用（目录中已不存在）"),
    "add_role": _("授予角色"),
    "withdraw_role": _("撤销角色"),
    "skip_privileged": _("跳过：特权账号不与目录关联"),
}


@dataclass(frozen=True)
class Change:
    kind: str
    username: str
    detail: str = ""  # "role@unit code" for role changes, the changed fields for updates
    shown: str = ""  # the detail as people read it: role and unit names, field names

    @property
    def label(self):
        return CHANGE_LABELS[self.kind]


@dataclass
class SyncReport:
    people: int = 0
    changes: list[Change] = field(default_factory=list)
    unmatched_departments: set[str] = field(default_factory=set)

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    @property
    def fingerprint(self) -> str:
        text = "\n".join(f"{c.kind}|{c.username}|{c.detail}" for c in self.changes)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def wanted_roles(person: DirectoryPerson, units: dict[str, Unit]) -> set[tuple[str, str]]:
    """(role, unit code): the default role in the person's department, plus one per role group."""
    if person.department not in units:
        return set()
    roles = {settings.XIACHEN_LDAP_DEFAULT_ROLE} if settings.XIACHEN_LDAP_DEFAULT_ROLE else set()
    groups = {dn.lower(): role for dn, role in settings.XIACHEN_LDAP_ROLE_GROUPS.items()}
    roles |= {groups[dn] for dn in person.groups if dn in groups}
    return {(role, person.department) for role in roles if role in SOURCE_ROLES}


def reconcile(people: list[DirectoryPerson], *, apply: bool, by: User | None = None) -> SyncReport:
    """Compare the directory with the accounts; with `apply`, make them agree (atomic, audited)."""
    with transaction.atomic():
        report = SyncReport(people=len(people))
        units = {u.code: u for u in Unit.objects.filter(code__in={p.department for p in people if p.department})}
        report.unmatched_departments = {p.department for p in people if p.department and p.department not in units}
        links = {a.external_id: a for a in ExternalAccount.objects.filter(source=Source.LDAP).select_related("user")}
        for person in sorted(people, key=lambda p: p.username):
            reconcile_person(person, link=links.get(person.key), units=units, report=report, apply=apply, by=by)
        present = {person.key for person in people}
        for key, link in sorted(links.items()):
            if key not in present and link.user.is_active:
                _disable(link, report=report, apply=apply, by=by)
        if apply:
            audit.record(actor=by, action="directory.synced", fields={
                "people": report.people, "changes": len(report.changes), "disabled": report.count("disable")})
        return report


def reconcile_person(person, *, link, units, report, apply: bool, by=None) -> User | None:
    """One person: account (created, linked, updated, enabled) and directory-managed roles."""
    user = link.user if link else User.objects.filter(username__iexact=person.username).first()
    if user is None:
        report.changes.append(Change("create", person.username))
        user = _create(person, apply=apply, by=by)
    elif link is None and holds_privileged_role(user):
        report.changes.append(Change("skip_privileged", user.username))
        return None
    elif link is None:
        report.changes.append(Change("link", user.username))
        if apply:
            link = ExternalAccount.objects.create(user=user, source=Source.LDAP, external_id=person.key)
            # From now on the directory decides: a local password would outlive a reset or a
            # disabled entry there.
            user.set_unusable_password()
            user.save(update_fields=["password"])
            audit.record(actor=by, action="directory.user_linked", target=user)
    if user is not None and user.pk:
        _update_profile(user, person, report=report, apply=apply, by=by)
        if link is not None and link.disabled_by_sync and not user.is_active:
            _enable(link, report=report, apply=apply, by=by)
    _roles(user, person, units=units, report=report, apply=apply)
    return user


def _create(person: DirectoryPerson, *, apply: bool, by) -> User | None:
    if not apply:
        return None
    user = User(username=person.username, display_name=person.name, email=person.email)
    user.set_unusable_password()  # the directory checks the password
    user.save()
    ExternalAccount.objects.create(user=user, source=Source.LDAP, external_id=person.key)
    audit.record(actor=by, action="directory.user_created", target=user)
    return user


def _update_profile(user: User, person: DirectoryPerson, *, report, apply: bool, by) -> None:
    values = (("display_name", person.name), ("email", person.email))
    changed = [name for name, value in values if value and getattr(user, name) != value]
    if not changed:
        return
    labels = {field.name: field.verbose_name for field in User._meta.concrete_fields}
    shown = "、".join(str(labels[f]) for f in changed)
    report.changes.append(Change("update", user.username, ",".join(changed), shown))
    if apply:
        user.display_name, user.email = person.name or user.display_name, person.email or user.email
        user.save(update_fields=changed)
        audit.record(actor=by, action="directory.user_updated", target=user, fields={"fields": changed})


def _roles(user: User | None, person: DirectoryPerson, *, units, report, apply: bool) -> None:
    wanted = wanted_roles(person, units)
    have = current_directory_roles(user, Source.LDAP) if user is not None and user.pk else set()
    name = user.username if user is not None else person.username
    report.changes += [Change("add_role", name, f"{role}@{code}", _role_shown(role, code))
                       for role, code in sorted(wanted - have)]
    report.changes += [Change("withdraw_role", name, f"{role}@{code}", _role_shown(role, code))
                       for role, code in sorted(have - wanted)]
    if apply and user is not None:
        sync_directory_roles(user=user, source=Source.LDAP, wanted=wanted)


def _role_shown(role: str, code: str) -> str:
    unit = Unit.objects.filter(code=code).only("name").first()
    return f"{Role(role).label} · {unit.name if unit else code}"


def _disable(link: ExternalAccount, *, report, apply: bool, by) -> None:
    report.changes.append(Change("disable", link.user.username))
    if apply:
        link.user.is_active = False
        link.user.save(update_fields=["is_active"])
        link.disabled_by_sync = True
        link.save(update_fields=["disabled_by_sync", "updated_at"])
        audit.record(actor=by, action="directory.user_disabled", target=link.user,
                     fields={"sessions_ended": end_sessions_of(link.user)})


def _enable(link: ExternalAccount, *, report, apply: bool, by) -> None:
    report.changes.append(Change("enable", link.user.username))
    if apply:
        link.user.is_active = True
        link.user.save(update_fields=["is_active"])
        link.disabled_by_sync = False
        link.save(update_fields=["disabled_by_sync", "updated_at"])
        audit.record(actor=by, action="directory.user_enabled", target=link.user)
