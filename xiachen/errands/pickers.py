"""Searchable pickers of the errand pages: the household an errand is filed for, the resident a
quarantine is registered for, the person on duty an errand is assigned to."""

from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.accounts.enums import Role
from xiachen.accounts.models import Membership, User
from xiachen.accounts.permissions import has_permission
from xiachen.core.pickers import Option, Picker, register, unit_trails
from xiachen.core.text import name_query
from xiachen.households.models import Resident
from xiachen.households.pickers import RESIDENT_ORDER, describe_residents, search_residents
from xiachen.households.selectors import residents_visible_to

from .duty import on_duty_users
from .selectors import errands_visible_to, households_for_errands


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



def _assignees(user, params) -> QuerySet:
    """Who is on duty where the errand is, when the user may dispatch it; nobody otherwise."""
    try:
        public_id = UUID(params.get("errand", ""))
    except ValueError:
        return User.objects.none()
    errand = errands_visible_to(user).filter(public_id=public_id).first()
    if errand is None or not has_permission(user, "errands.dispatch", errand.household.compound):
        return User.objects.none()
    return on_duty_users(errand.compound_path).select_related("cadre__agency", "cadre__department")


def _search_people(people: QuerySet, text: str) -> QuerySet:
    return people.filter(Q(display_name__icontains=text) | Q(username__icontains=text) | Q(cadre__name__icontains=text)
                         | Q(cadre__agency__name__icontains=text))


def describe_people(people: list) -> list[Option]:
    """A deployed cadre with their agency and department; a community worker with their community."""
    worker_units: dict[int, str] = {}
    for membership in Membership.objects.filter(user__in=people, role=Role.COMMUNITY_WORKER,
                                                is_active=True).select_related("unit"):
        worker_units.setdefault(membership.user_id, membership.unit.name)
    options = []
    for person in people:
        cadre = getattr(person, "cadre", None)
        if cadre is not None:
            parts = [_("下沉干部"), cadre.agency.name, cadre.department.name if cadre.department_id else ""]
        else:
            parts = [_("社区工作者"), worker_units.get(person.pk, "")]
        options.append(Option(value=str(person.public_id), label=str(person),
                              detail=" · ".join(part for part in parts if part)))
    return options


register(Picker(
    name="errand-assignee",
    permission="errands.dispatch",
    choices=_assignees,
    search=_search_people,
    describe=describe_people,
    placeholder=gettext_lazy("输入姓名或派出单位"),
))
