"""Writes of passes: policy versions, signing keys, issuing and revoking passes.

Keyword-only, atomic, permission-checked and audited. Gate scans are in `ingest.py`.
"""

import base64
import os
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit
from xiachen.interop.webhooks import emit

from .enums import AlertStatus, CorrectionStatus, CorrectionSubject, Decision
from .models import (
    CorrectionRequest,
    Disagreement,
    FeverAlert,
    Pass,
    PolicyAcknowledgement,
    PolicyVersion,
    RevocationRequest,
    SigningKey,
)
from .rules import RulesError, clean_rules, combine, require_tighter
from .tokens import PassClaims, b32encode, sign_token

BULK_LIMIT = 10  # more than this many revocations at once need a second approver
DEFAULT_OVERLAP = timedelta(days=7)


class PassError(ValueError):
    """A request the rules do not allow; the message is for the user."""


def community_of(unit):
    """The community a compound (or the community itself) belongs to."""
    while unit is not None and unit.kind.code != "community":
        unit = unit.parent
    if unit is None:
        raise PassError(_("该单位不属于任何社区"))
    return unit


@transaction.atomic
def publish_policy(*, by, community, rules: dict, effective_at: datetime, change_note: str) -> PolicyVersion:
    """A new policy version for `community` — a community, or an area above communities (city,
    district, street) whose communities inherit it — in force from `effective_at`.

    An area version needs the organization department's `passes.manage_area_policy`. A community
    version needs `passes.manage_policy` and may only tighten the area versions in force above it at
    `effective_at` (rules.require_tighter; a later area tightening binds it anyway, see rules.combine).
    Raises RulesError with a message naming the fields.
    """
    from .selectors import AREA_KINDS, policy_chain

    kind = community.kind.code
    if kind == "community":
        require_permission(by, "passes.manage_policy", community)
    elif kind in AREA_KINDS:
        require_permission(by, "passes.manage_area_policy", community)
    else:
        raise RulesError(_("通行政策只能发布给社区，或发布给市、区、街道由其下社区继承"))
    cleaned = clean_rules(rules)
    if kind == "community" and community.parent_id:
        areas = policy_chain(community.parent, effective_at)
        if areas:
            require_tighter(cleaned, combine([version.rules for version in areas]))
    latest = PolicyVersion.objects.select_for_update().filter(community=community).order_by("-number").first()
    version = PolicyVersion.objects.create(
        community=community,
        community_path=community.path,
        number=(latest.number + 1) if latest else 1,
        effective_at=effective_at,
        rules=cleaned,
        change_note=change_note,
        author=by,
    )
    audit.record(actor=by, action="pass_policy.published", target=version,
                 fields={"number": version.number, "area": kind != "community"})
    return version


def may_acknowledge(user, version: PolicyVersion) -> bool:
    """Gate staff of the version's unit or below it (an area's version binds all its communities)."""
    from xiachen.accounts.permissions import scope_paths

    return any(path.startswith(version.community_path) or version.community_path.startswith(path)
               for path in scope_paths(user, "gate.scan"))


def acknowledge_policy(*, by, version: PolicyVersion) -> PolicyAcknowledgement:
    if not may_acknowledge(by, version):
        raise PermissionDenied("gate.scan")
    acknowledgement, created = PolicyAcknowledgement.objects.get_or_create(version=version, user=by)
    if created:
        audit.record(actor=by, action="pass_policy.acknowledged", target=version)
    return acknowledgement


def _new_key(*, community, valid_from: datetime) -> SigningKey:
    seed = os.urandom(32)
    from nacl.signing import SigningKey as NaclSigningKey

    public = bytes(NaclSigningKey(seed).verify_key)
    while True:
        key_id = b32encode(os.urandom(4))
        if not SigningKey.objects.filter(key_id=key_id).exists():
            break
    return SigningKey.objects.create(
        community=community,
        community_path=community.path,
        key_id=key_id,
        public_key=base64.b64encode(public).decode(),
        seed=base64.b64encode(seed).decode(),
        valid_from=valid_from,
    )


@transaction.atomic
def rotate_key(*, by, community, overlap: timedelta = DEFAULT_OVERLAP) -> SigningKey:
    """A new signing key; the previous keys stay trusted for `overlap`, so printed passes keep working."""
    require_permission(by, "passes.manage_keys", community)
    now = timezone.now()
    SigningKey.objects.filter(community=community, trusted_until__isnull=True, revoked_at__isnull=True).update(
        trusted_until=now + overlap
    )
    key = _new_key(community=community, valid_from=now)
    audit.record(actor=by, action="pass_key.rotated", target=key, fields={"overlap_days": overlap.days})
    return key


@transaction.atomic
def revoke_key(*, by, key: SigningKey, reason: str) -> SigningKey:
    require_permission(by, "passes.manage_keys", key.community)
    if not reason.strip():
        raise PassError(_("请填写吊销原因"))
    key.revoked_at, key.revoke_reason = timezone.now(), reason
    key.save(update_fields=["revoked_at", "revoke_reason", "updated_at"])
    audit.record(actor=by, action="pass_key.revoked", target=key, fields={"reason": reason[:100]})
    return key


def current_key(*, community) -> SigningKey | None:
    now = timezone.now()
    return (
        SigningKey.objects.filter(community=community, revoked_at__isnull=True, valid_from__lte=now)
        .filter(trusted_until__isnull=True)
        .order_by("-valid_from")
        .first()
    )


@transaction.atomic
def issue_pass(*, by, resident, valid_from: datetime, valid_until: datetime, audience=None, group: str = "") -> Pass:
    """Sign a pass for `resident`, valid in [valid_from, valid_until) at `audience` (default: the compound)."""
    compound = resident.household.compound
    community = community_of(compound)
    require_permission(by, "passes.issue", community)
    audience = audience or compound
    if not audience.path.startswith(community.path):
        raise PassError(_("适用范围必须在本社区内"))
    if valid_until <= valid_from:
        raise PassError(_("失效时间必须晚于生效时间"))
    key = current_key(community=community) or _new_key(community=community, valid_from=timezone.now())
    issued = Pass(
        resident=resident,
        household=resident.household,
        community=community,
        community_path=community.path,
        audience=audience,
        group=group,
        valid_from=valid_from,
        valid_until=valid_until,
        key=key,
        issued_by=by,
    )
    claims = PassClaims(
        issued.public_id,
        resident.household.public_id,
        audience.public_id,
        int(valid_from.timestamp()),
        int(valid_until.timestamp()),
        group,
    )
    issued.token = sign_token(
        claims, key_id=base64.b32decode(key.key_id + "="), seed=base64.b64decode(key.seed)
    )
    issued.save()
    audit.record(actor=by, action="pass.issued", target=issued)
    return issued


def _revoke_now(*, passes: list[Pass], reason: str, by) -> int:
    ids = [p.pk for p in passes]
    count = Pass.objects.filter(pk__in=ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoke_reason=reason
    )
    for revoked in passes:
        audit.record(actor=by, action="pass.revoked", target=revoked, fields={"reason": reason[:100]})
        emit("pass.revoked", path=revoked.community.path, data={
            "pass": str(revoked.public_id), "community": str(revoked.community.public_id)})
    return count


@transaction.atomic
def revoke_passes(*, by, passes: list[Pass], reason: str) -> RevocationRequest | int:
    """Revoke now (≤ 10 passes: returns the count) or file a request for a second approver (> 10)."""
    if not reason.strip():
        raise PassError(_("请填写吊销原因"))
    if not passes:
        raise PassError(_("请选择通行证"))
    communities = {p.community_id for p in passes}
    if len(communities) != 1:
        raise PassError(_("一次只能吊销同一社区的通行证"))
    community = passes[0].community
    require_permission(by, "passes.revoke", community)
    if len(passes) <= BULK_LIMIT:
        return _revoke_now(passes=passes, reason=reason, by=by)
    request = RevocationRequest.objects.create(
        community=community,
        community_path=community.path,
        reason=reason,
        requested_by=by,
        pass_ids=[str(p.public_id) for p in passes],
    )
    audit.record(actor=by, action="pass.bulk_revocation_requested", target=request, fields={"count": len(passes)})
    return request


@transaction.atomic
def decide_revocation(*, by, request: RevocationRequest, approve: bool) -> RevocationRequest:
    """The second approver (never the requester) approves or rejects a bulk revocation."""
    require_permission(by, "passes.revoke", request.community)
    request = RevocationRequest.objects.select_for_update().get(pk=request.pk)
    if request.requested_by_id == by.pk:
        raise PassError(_("批量吊销需由另一名负责人审批"))
    if request.status != "pending":
        raise PassError(_("该申请已处理"))
    request.status, request.decided_by = ("approved" if approve else "rejected"), by
    request.save(update_fields=["status", "decided_by", "updated_at"])
    if approve:
        passes = list(Pass.objects.filter(public_id__in=request.pass_ids, community=request.community))
        _revoke_now(passes=passes, reason=request.reason, by=by)
    audit.record(actor=by, action=f"pass.bulk_revocation_{request.status}", target=request)
    return request


@transaction.atomic
def resolve_disagreement(*, by, disagreement: Disagreement, decision: str, note: str) -> Disagreement:
    """The supervisor records which verdict stands; both verdicts stay on the scan, untouched."""
    require_permission(by, "passes.review_scans", disagreement.scan.gate)
    if decision not in Decision.values:
        raise PassError(_("请选择处理结论"))
    if not note.strip():
        raise PassError(_("请填写处理说明"))
    disagreement = Disagreement.objects.select_for_update().get(pk=disagreement.pk)
    if disagreement.resolved_at:
        raise PassError(_("该不一致已处理"))
    disagreement.decision, disagreement.note = decision, note.strip()[:500]
    disagreement.resolved_by, disagreement.resolved_at = by, timezone.now()
    disagreement.save(update_fields=["decision", "note", "resolved_by", "resolved_at", "updated_at"])
    audit.record(actor=by, action="scan_disagreement.resolved", target=disagreement, fields={"decision": decision})
    return disagreement


@transaction.atomic
def close_fever_alert(*, by, alert: FeverAlert, note: str) -> FeverAlert:
    """Close the follow-up task of a fever alert with what was done (a note, audited)."""
    require_permission(by, "passes.review_scans", alert.scan.gate)
    if not note.strip():
        raise PassError(_("请填写跟进情况"))
    alert = FeverAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.CLOSED:
        raise PassError(_("该预警已关闭"))
    alert.status, alert.follow_up_note = AlertStatus.CLOSED, note.strip()[:500]
    alert.closed_by, alert.closed_at = by, timezone.now()
    alert.save(update_fields=["status", "follow_up_note", "closed_by", "closed_at", "updated_at"])
    audit.record(actor=by, action="fever_alert.closed", target=alert)
    return alert


@transaction.atomic
def file_correction(*, by, resident, subject: str, message: str, pass_ref=None, scan=None) -> CorrectionRequest:
    """A resident disputes the revocation of one of their passes or a scan record of their household."""
    if getattr(by, "resident", None) != resident:
        raise PassError(_("只能为本人提交更正申请"))
    if not message.strip():
        raise PassError(_("请填写更正说明"))
    if subject == CorrectionSubject.REVOCATION:
        if pass_ref is None or pass_ref.resident_id != resident.pk or pass_ref.revoked_at is None:
            raise PassError(_("请选择被吊销的通行证"))
        scan = None
    elif subject == CorrectionSubject.SCAN:
        if scan is None or scan.household_public_id != resident.household.public_id:
            raise PassError(_("请选择本户的出入记录"))
        pass_ref = None
    else:
        raise PassError(_("请选择更正对象"))
    community = community_of(resident.household.compound)
    correction = CorrectionRequest.objects.create(
        resident=resident,
        community=community,
        community_path=community.path,
        subject=subject,
        pass_ref=pass_ref,
        scan=scan,
        message=message.strip()[:1000],
    )
    audit.record(actor=by, action="pass_correction.filed", target=correction, fields={"subject": subject})
    return correction


@transaction.atomic
def answer_correction(*, by, correction: CorrectionRequest, answer: str) -> CorrectionRequest:
    require_permission(by, "passes.revoke", correction.community)
    if not answer.strip():
        raise PassError(_("请填写答复"))
    correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    if correction.status != CorrectionStatus.OPEN:
        raise PassError(_("该申请已答复"))
    correction.status, correction.answer = CorrectionStatus.ANSWERED, answer.strip()[:1000]
    correction.answered_by, correction.answered_at = by, timezone.now()
    correction.save(update_fields=["status", "answer", "answered_by", "answered_at", "updated_at"])
    audit.record(actor=by, action="pass_correction.answered", target=correction)
    return correction


@transaction.atomic
def designate_outing_member(*, by, household, resident=None):
    """指定外出人员: the one member of `household` who may go out under a "designated member only"
    policy (None: nobody designated). Audited; the gates learn it at their next sync."""
    require_permission(by, "passes.issue", household.compound)
    if resident is not None and resident.household_id != household.pk:
        raise PassError(_("指定外出人员必须是本户成员"))
    household.outing_member = resident
    household.save(update_fields=["outing_member", "updated_at"])
    audit.record(actor=by, action="household.outing_member_set", target=household,
                 fields={"designated": resident is not None})
    return household
