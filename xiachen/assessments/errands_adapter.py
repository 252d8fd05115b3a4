"""Adapter for errands (代办服务): errands the cadre completed at the units they served, and the
residents' 1–5 ratings of them. Reads errands through the app registry only, never by import, and
reports no data (None / no ratings) when errands is absent or its models no longer have the shape
read here (ADR 0801):

- `Errand.assignee` (the user who did it), `Errand.status`, `Errand.delivered_at`,
  `Errand.compound_path` and `Errand.rating` (1–5, set when the resident confirms or rates);
- completed = delivered, then confirmed by the resident or auto-closed (a delivered errand cannot be
  cancelled any more); it counts on the day it was delivered.
"""

from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, FieldError

DONE_STATUSES = ("delivered", "confirmed", "closed")
FIELDS = ("assignee", "status", "delivered_at", "compound_path", "rating")


def errand_model():
    """The Errand model when errands is installed and still has the fields read here, else None."""
    if not apps.is_installed("xiachen.errands"):
        return None
    try:
        model = apps.get_model("errands", "Errand")
        for name in FIELDS:
            model._meta.get_field(name)
    except (LookupError, FieldDoesNotExist):
        return None
    statuses = {value for value, _label in model._meta.get_field("status").choices or ()}
    if not set(DONE_STATUSES) <= statuses:
        return None
    return model


def _assigned(model, service):
    """Errands assigned to the cadre's user at the served units, requested or delivered in the
    service period; None without a user account or a period."""
    from django.db.models import Q

    from xiachen.org.models import path_within

    from .metrics import cadre_user_and_units

    if service.start is None or service.end is None:
        return None
    user_id, unit_paths = cadre_user_and_units(service)
    if user_id is None or not unit_paths:
        return None
    start, end = service.day_bounds()
    return model.objects.filter(path_within(unit_paths, field="compound_path"), assignee_id=user_id).filter(
        Q(created_at__gte=start, created_at__lt=end) | Q(delivered_at__gte=start, delivered_at__lt=end)
    )


def _completed(model, service):
    assigned = _assigned(model, service)
    if assigned is None:
        return None
    start, end = service.day_bounds()
    return assigned.filter(status__in=DONE_STATUSES, delivered_at__gte=start, delivered_at__lt=end)


def errands_done(model, service) -> Decimal | None:
    """Completed errands of the cadre's user at the served units within the service period; no data
    when no errand was assigned to them there (errands are not part of their post)."""
    if errand_model() is None:
        return None
    assigned = _assigned(model, service)
    if assigned is None or not assigned.exists():
        return None
    return Decimal(_completed(model, service).count())


def residents_ratings(service) -> list[int]:
    """The residents' ratings of those errands: a rating source for metrics.ResidentRating."""
    model = errand_model()
    if model is None:
        return []
    try:
        errands = _completed(model, service)
        return [] if errands is None else list(errands.filter(rating__isnull=False).values_list("rating", flat=True))
    except (LookupError, FieldError, ValueError):
        return []
