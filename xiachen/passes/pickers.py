"""Searchable picker of the revocation form: current passes, found by the holder's name or address."""

from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.accounts.permissions import scope_paths
from xiachen.core.pickers import Option, Picker, register
from xiachen.core.text import name_query
from xiachen.households.models import Resident
from xiachen.households.pickers import RESIDENT_ORDER, describe_residents, search_residents
from xiachen.org.models import path_within

from .selectors import revocable_passes


def _search(passes: QuerySet, text: str) -> QuerySet:
    return passes.filter(
        Q(resident__name__icontains=name_query(text)) | Q(household__compound__name__icontains=text)
        | Q(household__building=text.removesuffix("栋")) | Q(household__room=text.removesuffix("室"))
    )


def _describe(passes: list) -> list[Option]:
    return [
        Option(
            value=str(card.public_id),
            label=f"{card.resident.name} · {card.household.compound.name} {card.household.address_label}",
            detail=_("%(audience)s，有效至 %(until)s") % {
                "audience": card.audience.name,
                "until": formats.date_format(timezone.localtime(card.valid_until), "SHORT_DATETIME_FORMAT"),
            },
        )
        for card in passes
    ]


register(Picker(
    name="revocable-pass",
    permission="passes.revoke",
    choices=lambda user, params: revocable_passes(user),
    search=_search,
    describe=_describe,
    placeholder=gettext_lazy("输入持证人姓名、小区或楼栋号"),
))



def _issuable_residents(user, params) -> QuerySet:
    return (Resident.objects.filter(path_within(scope_paths(user, "passes.issue"), field="compound_path"))
            .select_related("household", "household__compound").order_by(*RESIDENT_ORDER))


register(Picker(
    name="pass-resident",
    permission="passes.issue",
    choices=_issuable_residents,
    search=search_residents,
    describe=describe_residents,
    placeholder=gettext_lazy("输入居民姓名、小区或楼栋号"),
))
