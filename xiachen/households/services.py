"""Writes and audited sensitive reads on households and residents."""

from django.db import transaction

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit

from .models import Resident

REVEALABLE_FIELDS = {"phone", "id_number"}


@transaction.atomic
def reveal_resident_field(*, by, resident: Resident, field: str) -> str:
    """Return the full value of a masked field for a permitted user, leaving an audit row.

    Raises PermissionDenied when `by` may not see personal data in the resident's compound.
    """
    if field not in REVEALABLE_FIELDS:
        raise ValueError(field)
    require_permission(by, "households.show_personal", resident.household.compound)
    audit.record(actor=by, action="resident.personal_revealed", target=resident, fields={"field": field})
    return getattr(resident, field)
