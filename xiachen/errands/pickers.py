"""Searchable pickers of the errand pages: the household an errand is filed for, the resident a
quarantine is registered for."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from xiachen.core.pickers import Option, Picker, register, unit_trails
from xiachen.core.text import name_query
from xiachen.households.models import Resident
from xiachen.households.pickers import RESIDENT_ORDER, describe_residents, search_residents
from xiachen.households.selectors import residents_visible_to

from .selectors import households_for_errands


def _search_households(households: QuerySet, text: str) -> QuerySet:
    return households.filter(
        Q(residents__name__icontains=name_query(text)) | Q(compound__name__icontains=text)
        | Q(building=text.removesuffix("栋")) | Q(room=text.removesuffix("室"))
    ).distinct()


def _describe_households(households: list) -> list[Option]:
    trails = unit_trails(household.compound for household in households)
    names: dict[int, list[str]] = {}
    for resident in Resident.objects.filter(household__in=households).order_by("household_id", "relation", "id"):
        names.setdefault(resident.household_id, []).append(resident.name)
    return [
        Option(
            value=str(household.public_id),
            label=f"{household.compound.name} {household.address_label}",
            detail=" · ".join(
                part for part in [trails[household.compound_id], "、".join(names.get(household.pk, [])[:4])] if part
            ),
        )
        for household in households
    ]


register(Picker(
    name="errand-household",
    permission="errands.work",
    choices=lambda user, params: households_for_errands(user),
    search=_search_households,
    describe=_describe_households,
    placeholder=gettext_lazy("输入住户姓名、小区或楼栋号"),
))


register(Picker(
    name="quarantine-resident",
    permission="errands.quarantine",
    choices=lambda user, params: residents_visible_to(user).order_by(*RESIDENT_ORDER),
    search=search_residents,
    describe=describe_residents,
    placeholder=gettext_lazy("输入居民姓名、小区或楼栋号"),
))

