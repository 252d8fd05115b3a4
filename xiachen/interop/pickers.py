"""The administrator's unit picker for tokens and webhook endpoints: any unit of the tree."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from xiachen.core.pickers import Option, Picker, register, unit_trails
from xiachen.org.models import Unit


def _search(units: QuerySet, text: str) -> QuerySet:
    return units.filter(Q(name__icontains=text) | Q(code__icontains=text))


def _describe(units: list) -> list[Option]:
    trails = unit_trails(units)
    return [Option(value=str(unit.public_id), label=f"{unit.name}（{unit.kind.label}）", detail=trails[unit.pk])
            for unit in units]


register(Picker(
    name="interop-unit",
    permission="accounts.manage",
    choices=lambda user, params: Unit.objects.select_related("kind").order_by("depth", "path"),
    search=_search,
    describe=_describe,
    placeholder=gettext_lazy("输入单位名称或代码"),
))
