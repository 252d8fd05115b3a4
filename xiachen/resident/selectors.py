"""What the resident home shows: the resident's own work, each item one click from done.

Everything here reads only the signed-in resident's own records (their household's errands, their
passes, tickets, correction requests, surveys of their compound, notices addressed to them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from xiachen.errands.enums import OPEN_ERRAND_STATUSES, ErrandStatus
from xiachen.errands.selectors import household_errands
from xiachen.hotline.enums import OPEN_STATUSES, TicketStatus
from xiachen.hotline.selectors import tickets_of_resident
from xiachen.notices import community
from xiachen.passes.enums import CorrectionStatus
from xiachen.surveys.services import resident_surveys

# Errands still needing someone: open ones, and delivered ones waiting for the resident's confirmation.
ERRANDS_TO_FOLLOW = (*OPEN_ERRAND_STATUSES, ErrandStatus.DELIVERED)
TICKETS_TO_FOLLOW = (*OPEN_STATUSES, TicketStatus.RESOLVED)


@dataclass
class Shortlist:
    """Up to `limit` items of a list, and how many there are in all (for the "all N" link)."""

    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class ResidentHome:
    passes: list
    errands: Shortlist
    tickets: Shortlist
    corrections: Shortlist
    surveys: Shortlist
    notices: Shortlist
    open_requests: int = field(init=False)

    def __post_init__(self) -> None:
        self.open_requests = self.errands.total + self.tickets.total + self.corrections.total


def _shortlist(queryset, limit: int) -> Shortlist:
    items = list(queryset[:limit])
    total = len(items) if len(items) < limit else queryset.count()
    return Shortlist(items=items, total=total)


def current_passes(resident) -> list:
    """The resident's passes valid now or later, not revoked (what the gate will accept)."""
    return list(
        resident.passes.filter(revoked_at__isnull=True, valid_until__gt=timezone.now())
        .select_related("resident", "household")
        .order_by("valid_from")
    )


def resident_home(resident, *, limit: int = 5) -> ResidentHome:
    """The resident's work for today: passes, open requests, surveys to answer, unread notices.

    `limit` caps each list (the elder mode shows fewer items per screen); totals are exact.
    """
    return ResidentHome(
        passes=current_passes(resident),
        errands=_shortlist(household_errands(resident).filter(status__in=ERRANDS_TO_FOLLOW), limit),
        tickets=_shortlist(tickets_of_resident(resident).filter(status__in=TICKETS_TO_FOLLOW), limit),
        corrections=_shortlist(
            resident.pass_corrections.filter(status=CorrectionStatus.OPEN).order_by("-created_at"), limit
        ),
        surveys=_shortlist(resident_surveys(resident).filter(answered=False), limit),
        notices=_shortlist(community.resident_notices(resident).filter(my_read_at__isnull=True), limit),
    )
