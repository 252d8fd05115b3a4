"""Searchable pickers of the pass pages: current passes (revocation, found by the holder's name or
address), the unit a policy version is published for, and the community whose signing key rotates."""

from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.accounts.permissions import scope_paths
from xiachen.core.pickers import Option, Picker, describe_units, register, search_units
from xiachen.core.text import name_query
from xiachen.households.models import Resident
from xiachen.households.pickers import RESIDENT_ORDER, describe_residents, search_residents
from xiachen.org.models import Unit, path_within

from .selectors import areas_for, communities_for, revocable_passes, scan_gates_for


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


def _policy_units(user, params) -> QuerySet:
    """Areas (city, district, street) whose policy the user may publish, then their communities."""
    areas, communities = areas_for(user).values("pk"), communities_for(user, "passes.manage_policy").values("pk")
    return (Unit.objects.filter(Q(pk__in=areas) | Q(pk__in=communities)).select_related("kind")
            .order_by("depth", "path"))


register(Picker(
    name="pass-policy-unit",
    permission="passes.view_policy",
    choices=_policy_units,
    search=search_units,
    describe=describe_units,
    placeholder=gettext_lazy("输入社区、街道或区的名称"),
))

register(Picker(
    name="pass-key-community",
    permission="passes.manage_keys",
    choices=lambda user, params: communities_for(user, "passes.manage_keys").select_related("kind"),
    search=search_units,
    describe=describe_units,
    placeholder=gettext_lazy("输入社区名称"),
))


register(Picker(
    name="scan-gate",
    permission="passes.review_scans",
    choices=lambda user, params: scan_gates_for(user).select_related("kind", "parent"),
    search=search_units,
    describe=describe_units,
    placeholder=gettext_lazy("输入小区或社区名称"),
))
