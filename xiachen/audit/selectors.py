"""Reads of the audit trail: only the security auditor (三权分立: not the system administrator).

Filters: date range (local days), unit (events by people holding a role in the unit's subtree, or
about a unit in it), target type, actor (username or name) and action. Pages are keyset pages on
the event id (newest first), so the last page of millions of events costs what the first does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils import timezone

from xiachen.accounts.models import Membership, User
from xiachen.accounts.permissions import require_permission
from xiachen.core.text import name_query

from .labels import FIELD_LABELS, action_label, field_label, result_label, target_type_label, value_label
from .models import AuditEvent, ChainCheck

if TYPE_CHECKING:
    from xiachen.org.models import Unit

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    date_from: date | None = None
    date_to: date | None = None
    unit: Unit | None = None
    target_type: str = ""
    actor: str = ""
    action: str = ""

    def describe(self) -> dict:
        """The filters as plain values, for the audit record of an export."""
        return {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "unit": self.unit.code if self.unit else "",
            "target_type": self.target_type,
            "actor": self.actor,
            "action": self.action,
        }


def audit_events_for(user, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    """Newest first, filtered. Raises PermissionDenied for anyone without `audit.view`."""
    require_permission(user, "audit.view")
    filters = filters or AuditFilters()
    events = AuditEvent.objects.order_by("-id")
    if filters.date_from:
        events = events.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        events = events.filter(at__lt=_start_of(filters.date_to + timedelta(days=1)))
    if filters.target_type:
        events = events.filter(target_type=filters.target_type)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor:
        events = events.filter(actor_id__in=_actor_ids(filters.actor))
    if filters.unit is not None:
        events = events.filter(_about_unit(filters.unit))
    return events


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _actor_ids(text: str) -> list[int]:
    text = text.strip()
    matches = User.objects.filter(Q(username__iexact=text) | Q(display_name__icontains=name_query(text)))
    return list(matches.values_list("pk", flat=True)[:500])


def _about_unit(unit) -> Q:
    from xiachen.org.models import Unit

    actors = Membership.objects.filter(unit__path__startswith=unit.path).values("user_id")
    units = Unit.objects.filter(path__startswith=unit.path).values_list("public_id", flat=True)
    return Q(actor_id__in=actors) | Q(target_type="org.Unit", target_id__in=[str(pk) for pk in units[:5000]])


@dataclass
class KeysetPage:
    events: list
    newer: int | None  # `after` for the newer page, None on the first page
    older: int | None  # `before` for the older page, None on the last


def keyset_page(events: QuerySet[AuditEvent], *, before: int | None = None, after: int | None = None,
                size: int = PAGE_SIZE) -> KeysetPage:
    """One page of `events` (newest first) ending before id `before`, or starting after id `after`."""
    if after is not None:
        rows = list(events.filter(id__gt=after).order_by("id")[: size + 1])
        has_newer, rows = len(rows) > size, rows[:size][::-1]
        has_older = bool(rows) and events.filter(id__lt=rows[-1].id).exists()
    else:
        window = events.filter(id__lt=before) if before is not None else events
        rows = list(window[: size + 1])
        has_older, rows = len(rows) > size, rows[:size]
        has_newer = before is not None and bool(rows) and events.filter(id__gt=rows[0].id).exists()
    return KeysetPage(
        events=rows, newer=rows[0].id if rows and has_newer else None, older=rows[-1].id if rows and has_older else None
    )


@dataclass
class EventRow:
    """An event as people read it: who (name), what (Chinese), on what, details."""

    event: AuditEvent
    actor: str
    action: str
    target_type: str
    details: list[tuple[str, str]]
    result: str


def readable(events: list[AuditEvent]) -> list[EventRow]:
    """Chinese labels and people's names for a page of events: one query for the actors, one per kind
    of named target (accounts and units show their name after the type)."""
    names = {user.pk: str(user) for user in User.objects.filter(pk__in={e.actor_id for e in events if e.actor_id})}
    targets = _target_names(events)
    return [
        EventRow(
            event=event,
            actor=names.get(event.actor_id, event.actor_label) if event.actor_id else _system_label(),
            action=action_label(event.action),
            target_type=" · ".join(filter(None, [target_type_label(event.target_type),
                                                 targets.get((event.target_type, event.target_id), "")])),
            details=_details(event.fields, event.target_type),
            result=result_label(event.result),
        )
        for event in events
    ]


def _target_names(events: list[AuditEvent]) -> dict[tuple[str, str], str]:
    from xiachen.org.models import Unit

    found = {}
    for label, model in (("accounts.User", User), ("org.Unit", Unit)):
        ids = {event.target_id for event in events if event.target_type == label and _is_uuid(event.target_id)}
        for item in model.objects.filter(public_id__in=ids):
            found[(label, str(item.public_id))] = str(item)
    return found


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _system_label() -> str:
    from django.utils.translation import gettext as _

    return _("系统")


def _details(fields: dict, target_type: str = "") -> list[tuple[str, str]]:
    """Fields with a Chinese name, as (name, value); the others are counted in one last entry (their
    raw keys are internal names; the Excel export carries them in full). Recorded codes (statuses,
    verdicts, channels) show their Chinese label."""
    from django.utils.translation import gettext as _

    from xiachen.accounts.enums import Role

    details, unnamed = [], 0
    for key, value in (fields or {}).items():
        if key not in FIELD_LABELS:
            unnamed += 1
            continue
        if key == "role" and value in Role.values:
            value = Role(value).label
        elif isinstance(value, list):
            value = "、".join(_readable_value(key, item, target_type) for item in value)
        elif isinstance(value, dict):
            named = ((k, v) for k, v in value.items() if k in FIELD_LABELS and v not in ("", None))
            value = "；".join(f"{field_label(k)} {_readable_value(k, v, target_type)}" for k, v in named)
        elif isinstance(value, bool):
            value = _("是") if value else _("否")
        else:
            value = _readable_value(key, value, target_type)
        details.append((field_label(key), str(value)))
    if unnamed:
        details.append((_("其他数据"), _("%(count)d 项（见导出）") % {"count": unnamed}))
    return details


def _readable_value(key: str, value, target_type: str = "") -> str:
    if key == "action":
        return action_label(str(value))
    if key == "target_type":
        return target_type_label(str(value))
    if isinstance(value, bool):
        from django.utils.translation import gettext as _

        return _("是") if value else _("否")
    return value_label(str(value), target_type)


def target_type_choices(user) -> list[tuple[str, str]]:
    """The project's models as target types, with their Chinese names. Taken from the model registry,
    not from the trail: a DISTINCT over millions of events on every page load would be a full scan."""
    from django.apps import apps

    require_permission(user, "audit.view")
    models = (model for model in apps.get_models() if model.__module__.startswith("xiachen."))
    choices = {model._meta.label: target_type_label(model._meta.label) for model in models}
    return sorted(choices.items(), key=lambda pair: pair[1])


def chain_checks_for(user) -> QuerySet[ChainCheck]:
    require_permission(user, "audit.verify")
    return ChainCheck.objects.select_related("started_by")
