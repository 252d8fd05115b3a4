"""How residents are searched and shown in any picker (errands' quarantine form, passes' issue
form): by name, compound or building, each with the household's full address."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from xiachen.core.pickers import Option, unit_trails
from xiachen.core.text import name_query


def search_residents(residents: QuerySet, text: str) -> QuerySet:
    return residents.filter(
        Q(name__icontains=name_query(text)) | Q(household__compound__name__icontains=text)
        | Q(household__building=text.removesuffix("栋"))
    )


def describe_residents(residents: list) -> list[Option]:
    trails = unit_trails(resident.household.compound for resident in residents)
    return [
        Option(
            value=str(resident.public_id),
            label=f"{resident.name}（{resident.get_relation_display()}）",
            detail=_("%(compound)s %(address)s · %(trail)s") % {
                "compound": resident.household.compound.name, "address": resident.household.address_label,
                "trail": trails[resident.household.compound_id],
            },
        )
        for resident in residents
    ]


RESIDENT_ORDER = ("compound_path", "household__building", "household__entrance", "household__room", "id")
