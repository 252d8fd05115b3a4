"""Searchable picker of the revocation form: current passes, found by the holder's name or address."""

from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.core.pickers import Option, Picker, register

from .selectors import revocable_passes


def _search(passes: QuerySet, text: str) -> QuerySet:
    return passes.filter(
        Q(resident__name__icontains=text) | Q(household__compound__name__icontains=text)
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

