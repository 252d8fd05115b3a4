"""Writes and audited sensitive reads on households and residents."""

from django.db import transaction
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit
from xiachen.cadres.enums import Sex
from xiachen.core.crypto import blind_index
from xiachen.core.idnumbers import InvalidIdentity, parse_id_number, parse_mobile

from .enums import Relation
from .models import Household, Resident

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


class HouseholdError(ValueError):
    pass


@transaction.atomic
def create_household(*, by, compound, building: str, room: str, entrance: str = "") -> Household:
    """A household at an address of a compound in `by`'s `households.edit` scope.

    Raises PermissionDenied outside the scope, HouseholdError on an empty or taken address."""
    require_permission(by, "households.edit", compound)
    building, entrance, room = building.strip()[:20], entrance.strip()[:20], room.strip()[:20]
    if not building or not room:
        raise HouseholdError(_("请填写楼栋和房号"))
    if Household.objects.filter(compound=compound, building=building, entrance=entrance, room=room).exists():
        raise HouseholdError(_("该地址已有住户"))
    household = Household.objects.create(compound=compound, building=building, entrance=entrance, room=room)
    audit.record(actor=by, action="household.created", target=household)
    return household


@transaction.atomic
def add_resident(*, by, household: Household, name: str, relation: str, id_number: str, phone: str = "") -> Resident:
    """A resident of `household`; sex and birth date come from the ID number (GB 11643, checked).

    Raises PermissionDenied outside `households.edit`, HouseholdError on bad input, a second head of
    the household or an ID number already registered."""
    require_permission(by, "households.edit", household.compound)
    if not name.strip():
        raise HouseholdError(_("请填写姓名"))
    if relation not in Relation.values:
        raise HouseholdError(_("与户主关系不在可选范围内"))
    try:
        identity = parse_id_number(id_number)
        phone = parse_mobile(phone) if phone.strip() else ""
    except InvalidIdentity as error:
        raise HouseholdError(str(error)) from None
    if relation == Relation.HEAD and household.residents.filter(relation=Relation.HEAD).exists():
        raise HouseholdError(_("该住户在系统中已有户主，同一住户只能有一位户主"))
    if Resident.objects.filter(id_number_index=blind_index(identity.number, purpose="id_number")).exists():
        raise HouseholdError(_("该身份证号已登记"))
    resident = Resident.objects.create(
        household=household, name=name.strip()[:60], relation=relation,
        sex=Sex.MALE if identity.is_male else Sex.FEMALE, birth_date=identity.birth_date,
        id_number=identity.number, phone=phone,
    )
    audit.record(actor=by, action="resident.created", target=resident,
                 fields={"fields": ["name", "id_number", "phone"]})
    return resident
