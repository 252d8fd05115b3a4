"""Needy-resident support: a standing list from the household vulnerability flags, scheduled
check-ins, grocery runs and calls, and a record of each contact."""

from datetime import date
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Min, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import has_permission, scope_paths
from xiachen.audit import services as audit
from xiachen.households.models import Resident
from xiachen.org.models import path_within

from .enums import SupportKind
from .models import SupportContact


class SupportError(ValueError):
    """A request the support rules do not allow; the message is for the user."""


def support_list(user, *, vulnerability: str = "") -> QuerySet[Resident]:
    """Residents with any vulnerability flag in the user's communities, with their next planned and
    last completed contact."""
    residents = Resident.objects.filter(
        path_within(scope_paths(user, "errands.view"), field="compound_path"), vulnerabilities__isnull=False
    )
    if vulnerability:
        residents = residents.filter(vulnerabilities__code=vulnerability)
    ids = residents.values("pk")
    return (
        Resident.objects.filter(pk__in=ids)
        .select_related("household", "household__compound")
        .prefetch_related("vulnerabilities")
        .annotate(
            next_contact=Min("support_contacts__scheduled_for", filter=Q(support_contacts__done_at__isnull=True)),
            last_contact=Max("support_contacts__done_at"),
        )
        .order_by("compound_path", "household__building", "household__room", "id")
    )


def access_supported(user, public_id: UUID) -> Resident:
    return get_object_or_404(support_list(user), public_id=public_id)


def contacts_of(resident: Resident) -> QuerySet[SupportContact]:
    return resident.support_contacts.select_related("by").order_by("-scheduled_for", "-id")


def _require(user, resident: Resident) -> None:
    if not has_permission(user, "errands.work", resident.household.compound) and not has_permission(
        user, "errands.view", resident.household.compound
    ):
        raise PermissionDenied("support")


@transaction.atomic
def schedule_contact(*, by, resident: Resident, kind: str, scheduled_for: date) -> SupportContact:
    _require(by, resident)
    if kind not in SupportKind.values:
        raise SupportError(_("请选择帮扶方式"))
    if scheduled_for < timezone.localdate():
        raise SupportError(_("计划日期不能早于今天"))
    contact = SupportContact.objects.create(resident=resident, kind=kind, scheduled_for=scheduled_for)
    audit.record(actor=by, action="support.scheduled", target=contact, fields={"kind": kind})
    return contact


@transaction.atomic
def record_contact(*, by, contact: SupportContact, note: str) -> SupportContact:
    """Record what happened at a planned contact; a contact is recorded once."""
    _require(by, contact.resident)
    SupportContact.objects.select_for_update().filter(pk=contact.pk).first()
    contact.refresh_from_db()
    if contact.done_at is not None:
        raise SupportError(_("该次帮扶已经记录过了"))
    if not note.strip():
        raise SupportError(_("请填写情况记录"))
    contact.done_at, contact.by, contact.note = timezone.now(), by, note.strip()[:300]
    contact.save(update_fields=["done_at", "by", "note", "updated_at"])
    audit.record(actor=by, action="support.recorded", target=contact)
    return contact
