"""单位报到 (pairing an agency's party organization with a community) and its 共建项目."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.audit import services as audit
from xiachen.org.models import Unit

from ..enums import PairingStatus, ProjectStatus
from ..models import Pairing, PairingProject
from .errors import VolunteerError, check_transition

PAIRING_TRANSITIONS = {
    PairingStatus.ACTIVE: {PairingStatus.SUSPENDED, PairingStatus.ENDED},
    PairingStatus.SUSPENDED: {PairingStatus.ACTIVE, PairingStatus.ENDED},
}
PROJECT_TRANSITIONS = {
    ProjectStatus.PLANNED: {ProjectStatus.IN_PROGRESS, ProjectStatus.CANCELLED},
    ProjectStatus.IN_PROGRESS: {ProjectStatus.DONE, ProjectStatus.CANCELLED},
}
AGENCY_KINDS = {"agency", "department"}


@transaction.atomic
def create_pairing(*, by, agency: Unit, community: Unit, started_on: date, note: str = "") -> Pairing:
    """Pair an agency (or one of its departments' party organizations) with a community.

    Raises VolunteerError for a unit of the wrong kind or a pairing that already runs."""
    require_permission(by, "volunteers.pair", community)
    require_permission(by, "volunteers.pair", agency)
    if agency.kind.code not in AGENCY_KINDS:
        raise VolunteerError(_("报到单位须为机关单位或其内设机构"))
    if community.kind.code != "community":
        raise VolunteerError(_("报到社区须为社区"))
    if Pairing.objects.filter(agency=agency, community=community).exclude(status=PairingStatus.ENDED).exists():
        raise VolunteerError(_("该单位已向这个社区报到"))
    pairing = Pairing.objects.create(agency=agency, community=community, started_on=started_on, note=note[:200],
                                     created_by=by)
    audit.record(actor=by, action="volunteers.pairing_created", target=pairing)
    return pairing


@transaction.atomic
def move_pairing(*, by, pairing: Pairing, to: str) -> Pairing:
    """Suspend, resume or end a pairing (organization department)."""
    require_permission(by, "volunteers.pair", pairing.community)
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    check_transition(PAIRING_TRANSITIONS, pairing.status, to, _("当前状态下不能这样调整单位报到"))
    pairing.status = to
    pairing.ended_on = timezone.localdate() if to == PairingStatus.ENDED else None
    pairing.save(update_fields=["status", "ended_on", "updated_at"])
    audit.record(actor=by, action="volunteers.pairing_moved", target=pairing, fields={"status": to})
    return pairing


def can_edit_projects(user, pairing: Pairing) -> bool:
    """Both sides keep the projects: the agency's liaison, the community's manager, and the
    organization department that made the pairing."""
    return (has_permission(user, "volunteers.edit_projects", pairing.agency)
            or has_permission(user, "volunteers.edit_projects", pairing.community)
            or has_permission(user, "volunteers.pair", pairing.community))


@transaction.atomic
def add_project(*, by, pairing: Pairing, title: str, owner: str, starts_on: date, ends_on: date | None = None,
                schedule: str = "", description: str = "") -> PairingProject:
    if not can_edit_projects(by, pairing):
        raise PermissionDenied("volunteers.edit_projects")
    if pairing.status == PairingStatus.ENDED:
        raise VolunteerError(_("单位报到已结束，不能再添加共建项目"))
    if ends_on is not None and ends_on < starts_on:
        raise VolunteerError(_("结束日期不能早于开始日期"))
    project = PairingProject.objects.create(pairing=pairing, title=title, owner=owner, starts_on=starts_on,
                                            ends_on=ends_on, schedule=schedule, description=description)
    audit.record(actor=by, action="volunteers.project_added", target=project)
    return project


@transaction.atomic
def move_project(*, by, project: PairingProject, to: str, progress_note: str = "") -> PairingProject:
    if not can_edit_projects(by, project.pairing):
        raise PermissionDenied("volunteers.edit_projects")
    project = PairingProject.objects.select_for_update().get(pk=project.pk)
    check_transition(PROJECT_TRANSITIONS, project.status, to, _("当前状态下不能这样调整共建项目"))
    project.status = to
    if progress_note:
        project.progress_note = progress_note[:200]
    project.save(update_fields=["status", "progress_note", "updated_at"])
    audit.record(actor=by, action="volunteers.project_moved", target=project, fields={"status": to})
    return project
