"""Searchable picker of the intake form: where the call comes from (compound, community or street
in the operator's area), shown with its full place in the city so same-named compounds differ."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from xiachen.core.pickers import Option, Picker, register, unit_trails

from .selectors import places_for, routable_units


def _search(places: QuerySet, text: str) -> QuerySet:
    return places.filter(Q(name__icontains=text) | Q(parent__name__icontains=text))


def _describe(places: list) -> list[Option]:
    trails = unit_trails(places)
    return [Option(value=str(place.public_id), label=f"{place.name}（{place.kind.label}）", detail=trails[place.pk])
            for place in places]


register(Picker(
    name="hotline-place",
    permission="hotline.operate",
    choices=lambda user, params: places_for(user).select_related("kind").order_by("depth", "path"),
    search=_search,
    describe=_describe,
    placeholder=gettext_lazy("输入小区、社区或街道名称"),
))


register(Picker(
    name="hotline-route-unit",
    permission="hotline.operate",
    choices=lambda user, params: routable_units(user).order_by("depth", "path"),
    search=_search,
    describe=_describe,
    placeholder=gettext_lazy("输入承办单位名称"),
))
