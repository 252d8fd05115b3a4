"""Raw rows for the dashboard tests, written straight to the source tables (as the ingest paths
and the demo generator do), with the timestamps the test chooses."""

import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from tests.factories import HouseholdFactory
from xiachen.errands.models import Errand
from xiachen.hotline.models import Category, Ticket
from xiachen.hotline.vocabulary import load_defaults
from xiachen.passes.models import FeverAlert, Scan


def at(*parts: int) -> datetime:
    """An aware datetime in Asia/Shanghai: at(2026, 3, 2, 9, 0)."""
    return timezone.make_aware(datetime(*parts))


def add_scans(gate, times: list[datetime], *, by, fever_at: set[int] = frozenset()) -> list[Scan]:
    """One scan per time at `gate`; the scans whose index is in `fever_at` raise a fever alert."""
    scans = Scan.objects.bulk_create([
        Scan(client_uuid=uuid.uuid4(), device_id="d1", gate=gate, gate_path=gate.path, recorded_by=by,
             scanned_at=moment, received_at=moment, direction="in", client_valid=True, client_reason="valid",
             server_valid=True, server_reason="valid", temperature="37.8" if i in fever_at else "36.5")
        for i, moment in enumerate(times)
    ])
    alerts = FeverAlert.objects.bulk_create([
        FeverAlert(scan_id=scans[i].client_uuid, gate_path=gate.path, temperature="37.8") for i in sorted(fever_at)
    ])
    for alert, i in zip(alerts, sorted(fever_at), strict=True):
        FeverAlert.objects.filter(pk=alert.pk).update(created_at=times[i])
    return scans


def add_errand(compound, *, by, created: datetime, delivered: datetime | None = None,
               cancelled: datetime | None = None, household=None) -> Errand:
    """An errand requested at `created`; delivered (and confirmed) or cancelled when given, else open."""
    household = household or HouseholdFactory(compound=compound)
    status = "confirmed" if delivered else "cancelled" if cancelled else "requested"
    errand = Errand.objects.create(household=household, kind="meal", details="午餐", requested_by=by,
                                   submission_key=uuid.uuid4(), status=status)
    finished = delivered + timedelta(hours=1) if delivered else cancelled
    Errand.objects.filter(pk=errand.pk).update(created_at=created, delivered_at=delivered, finished_at=finished)
    errand.refresh_from_db()
    return errand


def category(code: str = "general") -> Category:
    load_defaults()
    return Category.objects.get(code=code)


def add_ticket(place, *, owner, received: datetime, accepted: datetime | None = None, called_back: bool = False,
               resolved: bool | None = None, satisfaction: str = "", status: str = "in_progress") -> Ticket:
    """A ticket received at `received`, due to be signed within 2 hours, owned by `owner`."""
    return Ticket.objects.create(
        caller_name="王小明", caller_phone="13912345678", place=place, category=category(), description="楼道灯坏了",
        status=status, owner=owner, received_at=received, response_due=received + timedelta(hours=2),
        due_at=received + timedelta(days=7), remind_at=received + timedelta(days=6), accepted_at=accepted,
        called_back_at=received + timedelta(days=1) if called_back else None,
        caller_says_resolved=resolved if called_back else None, satisfaction=satisfaction if called_back else "",
    )
