"""Writes and audited sensitive reads on cadre profiles."""

from django.db import transaction

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit

from .models import Cadre

REVEALABLE_FIELDS = {"phone", "id_number"}


@transaction.atomic
def reveal_cadre_field(*, by, cadre: Cadre, field: str) -> str:
    """Return the full value of a masked field for a permitted user, leaving an audit row.

    Raises PermissionDenied when `by` may not see personal data of the cadre's agency, and
    ValueError for a field that is not revealable.
    """
    if field not in REVEALABLE_FIELDS:
        raise ValueError(field)
    require_permission(by, "cadres.show_personal", cadre.agency)
    audit.record(actor=by, action="cadre.personal_revealed", target=cadre, fields={"field": field})
    return getattr(cadre, field)
