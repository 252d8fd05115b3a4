"""Searchable pickers of the roster pages: the colleague a cadre asks to swap a shift with, and the
cadre a manager records unavailability or a wish for. Both offer only the cadres deployed to the
roster's post, shown with agency and department (two 王伟 of different agencies differ)."""

from uuid import UUID

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from xiachen.accounts.permissions import has_permission
from xiachen.cadres.models import Cadre
from xiachen.core.pickers import Picker, register
from xiachen.deployments.pickers import describe_cadres, search_cadres

from .planning import deployed_cadre_queryset
from .selectors import rosters_visible_to


def _roster(user, params):
    try:
        public_id = UUID(params.get("roster", ""))
    except ValueError:
        return None
    return rosters_visible_to(user).filter(public_id=public_id).first()


def _on_roster(roster) -> QuerySet:
    return deployed_cadre_queryset(roster.post, roster.round).select_related("agency", "department")


def _partners(user, params) -> QuerySet:
    """The other cadres deployed to the post of a roster the user is on; nobody otherwise."""
    roster, cadre = _roster(user, params), getattr(user, "cadre", None)
    if roster is None or cadre is None:
        return Cadre.objects.none()
    on_roster = _on_roster(roster)
    if not on_roster.filter(pk=cadre.pk).exists():
        return Cadre.objects.none()
    return on_roster.exclude(pk=cadre.pk)


def _managed(user, params) -> QuerySet:
    """The cadres of a roster the user manages."""
    roster = _roster(user, params)
    if roster is None or not has_permission(user, "rosters.manage", roster.post.unit):
        return Cadre.objects.none()
    return _on_roster(roster)


register(Picker(
    name="roster-partner",
    permission="rosters.own",
    choices=_partners,
    search=search_cadres,
    describe=describe_cadres,
    placeholder=gettext_lazy("输入同岗干部姓名或派出单位"),
))

register(Picker(
    name="roster-cadre",
    permission="rosters.manage",
    choices=_managed,
    search=search_cadres,
    describe=describe_cadres,
    placeholder=gettext_lazy("输入干部姓名或派出单位"),
))
