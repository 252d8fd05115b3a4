"""个人报到: a resident reports to the community where they live, as an in-service party member
(verified against their agency's member list) or as a volunteer (real-name check); the community
confirms or returns the registration (ADR 1901)."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit
from xiachen.cadres.models import Cadre
from xiachen.core.crypto import blind_index
from xiachen.core.idnumbers import InvalidIdentity, parse_id_number
from xiachen.core.text import fold_key
from xiachen.org.models import Unit

from ..enums import ContactPreference, MemberKind, RegistrationStatus
from ..models import AgencyMemberListEntry, Member
from . import messages
from .errors import VolunteerError, check_transition

REGISTRATION_TRANSITIONS = {
    RegistrationStatus.PENDING: {RegistrationStatus.CONFIRMED, RegistrationStatus.RETURNED,
                                 RegistrationStatus.WITHDRAWN},
    RegistrationStatus.RETURNED: {RegistrationStatus.PENDING, RegistrationStatus.WITHDRAWN},
    RegistrationStatus.CONFIRMED: {RegistrationStatus.WITHDRAWN},
    RegistrationStatus.WITHDRAWN: {RegistrationStatus.PENDING},
}


@dataclass
class Profile:
    """What the member tells the community about themselves (skills are Specialty rows)."""

    skills: list = field(default_factory=list)
    available_weekdays: bool = False
    available_evenings: bool = True
    available_weekends: bool = True
    contact_preference: str = ContactPreference.SMS
    note: str = ""


def community_of(compound: Unit) -> Unit | None:
    """The community a compound belongs to (the compound itself when it is one)."""
    if compound.kind.code == "community":
        return compound
    return compound.ancestors().filter(kind__code="community").order_by("-depth").first()


def _verified_identity(resident, id_number: str) -> str:
    """Real-name check: the typed number passes GB 11643 and is the resident's own (blind index)."""
    try:
        facts = parse_id_number(id_number)
    except InvalidIdentity as invalid:
        raise VolunteerError(str(invalid)) from None
    index = blind_index(facts.number, purpose="id_number")
    if index != resident.id_number_index:
        raise VolunteerError(_("身份证号与您在社区登记的信息不一致，请核对或联系社区"))
    return index


def _list_entry(*, agency: Unit | None, index: str, name: str) -> AgencyMemberListEntry:
    if agency is None:
        raise VolunteerError(_("在职党员请选择所在单位"))
    entry = AgencyMemberListEntry.objects.filter(agency__path__startswith=agency.path, id_number_index=index).first()
    if entry is None or fold_key(entry.name) != fold_key(name):
        raise VolunteerError(_("未在所选单位的党员名册中找到您，请联系单位联络员核实名册"))
    return entry


@transaction.atomic
def register_member(*, resident, kind: str, id_number: str, agency: Unit | None = None,
                    profile: Profile | None = None) -> Member:
    """Report `resident` to their community (or report again after a return or a withdrawal).

    Raises VolunteerError when the ID does not check out, the person is not on the agency's list,
    or they already reported and are waiting or confirmed."""
    profile = profile or Profile()
    index = _verified_identity(resident, id_number)
    entry = _list_entry(agency=agency, index=index, name=resident.name) if kind == MemberKind.PARTY_MEMBER else None
    compound = resident.household.compound
    community = community_of(compound)
    if community is None:
        raise VolunteerError(_("未找到您所在的社区，请联系社区"))
    member = Member.objects.select_for_update().filter(resident=resident).first()
    if member is not None and member.status in (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED):
        raise VolunteerError(_("您已向社区报到，无需重复报到"))
    member = member or Member(resident=resident, status=RegistrationStatus.PENDING)
    member.kind, member.name, member.user = kind, resident.name, resident.user
    member.community, member.compound = community, compound
    member.agency = entry.agency if entry else None
    member.list_entry = entry
    member.cadre = Cadre.objects.filter(id_number_index=index).first() if entry else None
    for name in ("available_weekdays", "available_evenings", "available_weekends", "contact_preference"):
        setattr(member, name, getattr(profile, name))
    member.note = profile.note[:200]
    was_new = member.pk is None
    member.save()
    if not was_new:
        _move(member, RegistrationStatus.PENDING)
    member.skills.set(profile.skills)
    audit.record(actor=resident.user, action="volunteers.member_registered", target=member, fields={"kind": kind})
    return member


def _move(member: Member, to: str, *, reason: str = "", by=None) -> None:
    check_transition(REGISTRATION_TRANSITIONS, member.status, to, _("当前报到状态下不能这样操作"))
    member.status = to
    member.return_reason = reason[:200] if to == RegistrationStatus.RETURNED else ""
    if by is not None:
        member.reviewed_by, member.reviewed_at = by, timezone.now()
    member.save(update_fields=["status", "return_reason", "reviewed_by", "reviewed_at", "updated_at"])


@transaction.atomic
def review_member(*, by, member: Member, confirm: bool, reason: str = "") -> Member:
    """The community confirms a registration, or returns it with a reason the member sees."""
    require_permission(by, "volunteers.review_members", member.community)
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not confirm and not reason.strip():
        raise VolunteerError(_("退回时请填写原因"))
    _move(member, RegistrationStatus.CONFIRMED if confirm else RegistrationStatus.RETURNED, reason=reason, by=by)
    audit.record(actor=by, action="volunteers.member_reviewed", target=member, fields={"status": member.status})
    messages.registration_reviewed(member)
    return member


@transaction.atomic
def withdraw_member(*, by, member: Member) -> Member:
    """The member leaves the community's service (their approved hours stay on record)."""
    if member.user_id is None or member.user_id != getattr(by, "pk", None):
        raise PermissionDenied("volunteers.withdraw")
    member = Member.objects.select_for_update().get(pk=member.pk)
    _move(member, RegistrationStatus.WITHDRAWN)
    audit.record(actor=by, action="volunteers.member_withdrawn", target=member)
    return member


def move_member(*, member: Member, to: str, by=None, reason: str = "") -> Member:
    """The one place a registration changes state (used by the services above and by tests)."""
    _move(member, to, reason=reason, by=by)
    return member
