"""Writes of passes: policy versions, signing keys, issuing and revoking passes.

Keyword-only, atomic, permission-checked and audited. Gate scans are in `ingest.py`.
"""

import base64
import os
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit
from xiachen.core import crypto

from .models import Pass, PolicyAcknowledgement, PolicyVersion, RevocationRequest, SigningKey
from .rules import clean_rules
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
    """A new policy version for `community`, in force from `effective_at`. Raises RulesError."""
    require_permission(by, "passes.manage_policy", community)
    latest = PolicyVersion.objects.select_for_update().filter(community=community).order_by("-number").first()
    version = PolicyVersion.objects.create(
        community=community,
        community_path=community.path,
        number=(latest.number + 1) if latest else 1,
        effective_at=effective_at,
        rules=clean_rules(rules),
        change_note=change_note,
        author=by,
    )
    audit.record(actor=by, action="pass_policy.published", target=version, fields={"number": version.number})
    return version


def acknowledge_policy(*, by, version: PolicyVersion) -> PolicyAcknowledgement:
    require_permission(by, "gate.scan", version.community)
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
        seed=crypto.encrypt(base64.b64encode(seed).decode()),
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
        claims, key_id=base64.b32decode(key.key_id + "="), seed=base64.b64decode(crypto.decrypt(key.seed))
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
