"""Reads of tickets, scoped: operators see tickets arising in their area, handlers those their units
own or are asked to take over, the organization department every ticket; residents their own."""

from datetime import timedelta
from uuid import UUID

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xiachen.accounts.permissions import has_permission, scope_paths
from xiachen.accounts.selectors import ancestor_paths
from xiachen.org.models import Unit, is_broad_scope, path_within

from .enums import COMMUNITY_KINDS, OPEN_STATUSES, OWNER_UNIT_KINDS, STREET_KINDS, TicketStatus
from .models import RoutingRule, Ticket

DUPLICATE_WINDOW = timedelta(hours=24)
LIST_RELATED = ("category", "place", "owner", "transfer_to")


def tickets_visible_to(user) -> QuerySet[Ticket]:
    if not getattr(user, "is_authenticated", False):
        return Ticket.objects.none()
    handled, viewed = scope_paths(user, "hotline.handle"), scope_paths(user, "hotline.view")
    # A city-wide viewer's newest tickets are read in received_at order, not through the path index
    # (which would fetch and sort all 300,000 of a city's month for one page; 1.3 s on SQLite).
    indexed = not is_broad_scope(handled + viewed)
    condition = path_within(viewed, field="place_path", indexed=indexed)
    condition |= path_within(handled, field="owner_path", indexed=indexed)
    condition |= path_within(handled, field="transfer_path", indexed=indexed)
    return Ticket.objects.filter(condition).select_related(*LIST_RELATED)


def access_ticket(user, public_id: UUID) -> Ticket:
    return get_object_or_404(tickets_visible_to(user), public_id=public_id)


# A ticket whose deadline falls within this is "near its deadline" (the home page's 待办, the list filter).
DUE_SOON = timedelta(hours=24)


def search_tickets(user, *, status: str = "", category: str = "", number: str = "", due: str = "") -> QuerySet[Ticket]:
    """Tickets the user may see, newest first; `due="soon"`: still open with the deadline within DUE_SOON."""
    tickets = tickets_visible_to(user)
    if status:
        tickets = tickets.filter(status=status)
    if due == "soon":
        tickets = tickets.filter(status__in=OPEN_STATUSES, due_at__lte=timezone.now() + DUE_SOON)
    if category:
        tickets = tickets.filter(category__code=category)
    if number:
        tickets = tickets.filter(number__icontains=number.strip())
    # Category and place prefetched, not joined: as inner joins they let SQLite start from the
    # category table and sort every ticket; owner and transfer_to are LEFT JOINs, which it keeps inner.
    listed = tickets.select_related(None).select_related("owner", "transfer_to").prefetch_related("category", "place")
    return listed.order_by(*TICKET_ORDER)


TICKET_ORDER = ["-received_at", "-id"]  # newest first; index hotline_ticket_received


def tickets_of_resident(resident) -> QuerySet[Ticket]:
    return Ticket.objects.filter(resident=resident).select_related("category", "place").order_by("-received_at")


def access_resident_ticket(resident, public_id: UUID) -> Ticket:
    return get_object_or_404(tickets_of_resident(resident), public_id=public_id)


def likely_duplicates(ticket: Ticket) -> QuerySet[Ticket]:
    """Other tickets from the same phone (blind index), category and place within 24 hours."""
    if not ticket.caller_phone_index:
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(
            caller_phone_index=ticket.caller_phone_index, category_id=ticket.category_id, place_id=ticket.place_id,
            received_at__gte=ticket.received_at - DUPLICATE_WINDOW,
            received_at__lte=ticket.received_at + DUPLICATE_WINDOW,
        )
        .exclude(pk=ticket.pk)
        .exclude(status=TicketStatus.MERGED)
        .select_related(*LIST_RELATED)
        .order_by("received_at")
    )


def chain_of(place: Unit) -> list[Unit]:
    """`place` and its ancestors, city first."""
    return list(Unit.objects.filter(path__in=ancestor_paths(place.path)).select_related("kind").order_by("depth"))


def district_of(place: Unit) -> Unit | None:
    return next((unit for unit in reversed(chain_of(place)) if unit.kind.code == "district"), None)


def route_for(*, category, place: Unit) -> Unit | None:
    """The responsible unit: the most specific category rule covering `place`, else by address
    (the place's community, else its street, else its district)."""
    chain = chain_of(place)
    rules = RoutingRule.objects.filter(category=category).filter(
        Q(area__isnull=True) | Q(area__in=[unit.pk for unit in chain])
    ).select_related("unit", "area")
    best = max(rules, key=lambda rule: len(rule.area.path) if rule.area_id else 0, default=None)
    if best is not None:
        return best.unit
    for kinds in (COMMUNITY_KINDS, STREET_KINDS, ("district",)):
        found = [unit for unit in chain if unit.kind.code in kinds]
        if found:
            return found[-1]
    return None


def can_own(unit: Unit) -> bool:
    return unit.kind.code in OWNER_UNIT_KINDS


def routable_units(user) -> QuerySet[Unit]:
    """Units an operator may dispatch to: ownable units in their area, and functional departments."""
    area = path_within(scope_paths(user, "hotline.operate"))
    functional = Q(kind__code__in=["agency", "department", "health_centre"])
    return Unit.objects.filter(area | functional, kind__code__in=OWNER_UNIT_KINDS).select_related("kind")


def places_for(user) -> QuerySet[Unit]:
    """Where a call can come from: compounds, communities and streets in the operator's area."""
    kinds = ["compound", *COMMUNITY_KINDS, *STREET_KINDS]
    return Unit.objects.filter(path_within(scope_paths(user, "hotline.operate")), kind__code__in=kinds)


def transfer_targets(ticket: Ticket) -> QuerySet[Unit]:
    """Units the owner may ask to take over: ownable units in the ticket's district, and functional departments."""
    area = Q(path__startswith=ticket.district.path) if ticket.district_id else Q(pk__in=[])
    functional = Q(kind__code__in=["agency", "department", "health_centre"])
    return (Unit.objects.filter(area | functional, kind__code__in=OWNER_UNIT_KINDS).exclude(pk=ticket.owner_id)
            .select_related("kind").order_by("path"))


def can_supervise(user, ticket: Ticket) -> bool:
    """督办 and deciding 延期: the dispatcher (an operator over the ticket's place) or a supervisor
    holding `hotline.supervise` over a unit above the owner — never the owner itself (ADR 1604)."""
    if ticket.owner_id is None:
        return False
    if has_permission(user, "hotline.operate", ticket.place):
        return True
    parent = ticket.owner.parent
    return parent is not None and has_permission(user, "hotline.supervise", parent)


can_decide_requests = can_supervise


def returned_by(ticket: Ticket) -> set[int]:
    """Units whose 退单 of this ticket was approved: the dispatcher may not send it back to them."""
    return set(ticket.requests.filter(kind="return", status="approved").values_list("unit_id", flat=True))


COMPLAINT_LOOKBACK = timedelta(days=180)  # a resident may complain about a cadre who served recently


def complaint_cadre_choices(resident):
    """Cadres a resident's complaint may name: those who reported for duty (已报到) at the resident's
    compound, community or street in a published or closed round ending no more than 180 days ago."""
    from xiachen.cadres.models import Cadre

    compound = resident.household.compound
    since = timezone.localdate() - COMPLAINT_LOOKBACK
    return (Cadre.objects.filter(matches__status="arrived", matches__round__status__in=["published", "closed"],
                                 matches__demand__unit_path__in=ancestor_paths(compound.path),
                                 matches__demand__end__gte=since)
            .select_related("agency").distinct().order_by("agency__name", "name"))


RULE_UNIT_KINDS = ["district", "street", "township", "community", "village", "agency", "department", "health_centre"]
RULE_AREA_KINDS = ["city", "district", "street", "township"]


def rule_units():
    """Units a routing rule may send a category to (the settings page's picker)."""
    return Unit.objects.filter(kind__code__in=RULE_UNIT_KINDS).select_related("kind").order_by("depth", "path")


def rule_areas():
    """Areas a routing rule may be limited to; none means the whole city."""
    return Unit.objects.filter(kind__code__in=RULE_AREA_KINDS).select_related("kind").order_by("depth", "path")
