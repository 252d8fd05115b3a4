"""Searchable picker of the plan editor: a cadre to add to a round by hand, among those free for
the round's period, shown with agency and department."""

from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from xiachen.cadres.models import Cadre
from xiachen.core.pickers import Option, Picker, register
from xiachen.core.text import name_query

from .enums import RoundStatus
from .round_selectors import hand_edit_candidates, rounds_visible_to


def _candidates(user, params) -> QuerySet:
    """The round's hand-edit candidates; nothing unless the round is visible and under review."""
    try:
        public_id = UUID(params.get("round", ""))
    except ValueError:
        return Cadre.objects.none()
    round_ = rounds_visible_to(user).filter(public_id=public_id, status=RoundStatus.REVIEW).first()
    return hand_edit_candidates(round_) if round_ is not None else Cadre.objects.none()


def search_cadres(cadres: QuerySet, text: str) -> QuerySet:
    return cadres.filter(
        Q(name__icontains=name_query(text)) | Q(agency__name__icontains=text) | Q(department__name__icontains=text)
        | Q(position__icontains=text)
    )


def describe_cadres(cadres: list) -> list[Option]:
    """A cadre with agency, department, position and rank (what tells two of the same name apart)."""
    return [
        Option(
            value=str(cadre.public_id),
            label=cadre.name,
            detail=" · ".join(dict.fromkeys(part for part in [
                cadre.agency.name, cadre.department.name if cadre.department_id else "", cadre.position,
                str(cadre.get_rank_display()),
            ] if part)),
        )
        for cadre in cadres
    ]


register(Picker(
    name="round-cadre",
    permission="deployments.run_rounds",
    choices=_candidates,
    search=search_cadres,
    describe=describe_cadres,
    placeholder=gettext_lazy("输入干部姓名、派出单位或内设机构"),
))
