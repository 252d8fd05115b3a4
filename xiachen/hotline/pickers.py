"""Searchable pickers of the hotline: where the call comes from (compound, community or street in
the operator's area), where it is dispatched, and the unit an owner asks to take it over — each shown
with its full place in the city so same-named units differ."""

from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from xiachen.accounts.permissions import has_permission
from xiachen.core.pickers import Option, Picker, register, unit_trails
from xiachen.org.models import Unit

from .selectors import places_for, routable_units, rule_areas, rule_units, tickets_visible_to, transfer_targets


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


def _transfer_targets(user, params) -> QuerySet:
    """Where the owner of the ticket may ask to transfer it; nothing for anyone else."""
    try:
        public_id = UUID(params.get("ticket", ""))
    except ValueError:
        return Unit.objects.none()
    ticket = tickets_visible_to(user).filter(public_id=public_id).first()
    if ticket is None or ticket.owner_id is None or not has_permission(user, "hotline.handle", ticket.owner):
        return Unit.objects.none()
    return transfer_targets(ticket)


register(Picker(
    name="hotline-transfer-unit",
    permission="hotline.handle",
    choices=_transfer_targets,
    search=_search,
    describe=_describe,
    placeholder=gettext_lazy("输入承办单位名称"),
))


register(Picker(
    name="hotline-rule-unit",
    permission="hotline.configure",
    choices=lambda user, params: rule_units(),
    search=_search,
    describe=_describe,
    placeholder=gettext_lazy("输入承办单位名称"),
))

register(Picker(
    name="hotline-rule-area",
    permission="hotline.configure",
    choices=lambda user, params: rule_areas(),
    search=_search,
    describe=_describe,
    placeholder=gettext_lazy("不填为全市；输入区、街道名称"),
))
