"""Retention purge (docs/security.md): after an episode's end plus the retention period its health data goes.

The periods are the ones registered for each field in `personal_data.py` (health 180 days, services
and support 365 days), so the register and the purge cannot disagree. What is kept are aggregates:
a purged quarantine episode keeps its compound, kind and dates for the counts of who was
quarantined where and when, plus the number of daily reports and of fever reports, but no longer
points to a resident or household; its reports are deleted and the free texts of its extensions and
visits blanked. Return reports lose the person and where they came from; errands and support
contacts keep their status, kind and dates and lose their free texts. Every purge is audited with
its counts, never the values.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from xiachen.audit import services as audit
from xiachen.core.personal_data import PersonalField

from .enums import OPEN_ERRAND_STATUSES, EpisodeStatus
from .models import EpisodeExtension, Errand, HealthReport, QuarantineEpisode, ReturnReport, SupportContact, VisitTask
from .personal_data import _health, _service, _support
from .quarantine import FEVER


def _days(field: PersonalField) -> int:
    """The field's retention period; each category purged here has one (personal_data.py)."""
    if field.retention_days is None:
        raise ValueError(f"{field.purpose}: no retention period to purge by")
    return field.retention_days


HEALTH_DAYS, SERVICE_DAYS, SUPPORT_DAYS = _days(_health), _days(_service), _days(_support)


@dataclass(frozen=True)
class PurgeCounts:
    episodes: int
    health_reports: int
    return_reports: int
    errands: int
    support_contacts: int


def _report_count(**condition) -> Coalesce:
    reports = (
        HealthReport.objects.filter(episode=OuterRef("pk"), **condition)
        .order_by()
        .values("episode")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(reports), 0)


def _purge_episodes(cutoff: date, now: datetime) -> tuple[int, int]:
    """Ended episodes whose end (when they ended; the planned end for rows without it) is before
    `cutoff`. Active episodes are never purged: they end through quarantine.end_overdue_episodes."""
    ended_before = Q(ended_at__lt=_start_of(cutoff)) | Q(ended_at__isnull=True, planned_end__lt=cutoff)
    due = QuarantineEpisode.objects.filter(ended_before, status=EpisodeStatus.ENDED, purged_at__isnull=True)
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return 0, 0
    episodes = QuarantineEpisode.objects.filter(pk__in=ids)
    episodes.update(report_count=_report_count(), fever_report_count=_report_count(temperature__gte=FEVER))
    deleted, _by_model = HealthReport.objects.filter(episode__in=ids).delete()
    EpisodeExtension.objects.filter(episode__in=ids).update(reason="")
    VisitTask.objects.filter(episode__in=ids).update(note="")
    ReturnReport.objects.filter(episode__in=ids).update(episode=None)
    episodes.update(resident=None, household=None, reason="", purged_at=now)
    return len(ids), deleted


@transaction.atomic
def purge_expired(*, today: date | None = None) -> PurgeCounts:
    """Purge everything whose retention period has passed on `today` (default: today); idempotent.

    Episodes: ended (ended_at) + the health retention before today. Return reports: arrival +
    the health retention. Errands: finished (delivered, confirmed or cancelled) + the service
    retention. Support contacts: done + the support retention. Returns the counts purged.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    episodes, reports = _purge_episodes(today - timedelta(days=HEALTH_DAYS), now)
    returns = ReturnReport.objects.filter(
        arrived_on__lt=today - timedelta(days=HEALTH_DAYS), purged_at__isnull=True
    ).update(resident=None, origin="", travel_detail="", episode=None, purged_at=now)
    service_cutoff = _start_of(today - timedelta(days=SERVICE_DAYS))
    errands = (
        Errand.objects.filter(finished_at__lt=service_cutoff, purged_at__isnull=True)
        .exclude(status__in=OPEN_ERRAND_STATUSES)
        .update(resident=None, details="", prescription_note="", comment="", payment_note="", purged_at=now)
    )
    support = SupportContact.objects.filter(
        done_at__lt=_start_of(today - timedelta(days=SUPPORT_DAYS)), purged_at__isnull=True
    ).update(note="", purged_at=now)
    counts = PurgeCounts(episodes, reports, returns, errands, support)
    if any(asdict(counts).values()):
        audit.record(actor=None, action="health_records.purged", fields={**asdict(counts), "on": today.isoformat()})
    return counts


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))

