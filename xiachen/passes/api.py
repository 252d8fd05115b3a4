"""The device API of the gate page: trust list, revocations, policy, batch ingest, verification, lookup."""

import json
from datetime import datetime
from typing import Annotated
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.security import SessionAuth
from pydantic import BaseModel

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit
from xiachen.core.masking import mask_name

from .checkpoint import MAX_BATCH as CHECKPOINT_BATCH
from .checkpoint import ingest_entries
from .ingest import MAX_BATCH, ingest_scans
from .models import Pass
from .rules import combine
from .selectors import (
    access_gate,
    audiences_of,
    designated_pass_ids,
    held_pass_ids,
    outs_since,
    policy_chain,
    policy_of_chain,
    recent_outs,
    revoked_key_ids,
    revoked_pass_ids,
    search_scans,
    trusted_keys,
)
from .verification import verify_token

router = Router(tags=["passes"])


class JsonSessionAuth(SessionAuth):
    """Session auth for JSON-body operations: a form or multipart body is a clean 415, never a 500
    (a middleware may already have consumed a multipart stream before the JSON body is parsed)."""

    def __call__(self, request):
        if not request.user.is_authenticated:  # 401 before the CSRF check's 403
            return None
        user = super().__call__(request)
        if user and request.content_type != "application/json":
            raise HttpError(415, "application/json required")
        return user


json_auth = JsonSessionAuth()


def stale_after() -> int:
    return getattr(settings, "XIACHEN_GATE_STALE_SECONDS", 6 * 3600)


class KeyOut(Schema):
    key_id: str
    public_key: str
    trusted_until: datetime | None


class TrustListOut(Schema):
    generated_at: datetime
    stale_after_seconds: int
    audiences: list[str]
    keys: list[KeyOut]


class RevocationsOut(Schema):
    generated_at: datetime
    passes: list[str]
    keys: list[str]


class RulesOut(Schema):
    out_every_days: int
    hours: list[str]
    visitors_allowed: bool
    fever_threshold: float
    exempt_groups: list[str]
    designated_only: bool
    max_hours_out: int
    held_action: str


class RecentOut(Schema):
    household: str
    pass_id: str
    at: int


class PolicySourceOut(Schema):
    unit: str
    number: int
    effective_at: datetime


class PolicyOut(Schema):
    generated_at: datetime
    version: int | None
    effective_at: datetime | None
    rules: RulesOut | None = Field(description="the rules in force: per field the tightest of `sources`")
    sources: list[PolicySourceOut] = Field(description="the versions combined: city, district, …, community")
    recent_outs: list[RecentOut]
    held_passes: list[str] = Field(description="passes that may not go out (居家隔离 / 健康监测): ids only")
    designated_passes: list[str] = Field(description="passes of the households' designated members")


class ScanIn(BaseModel):
    """The documented shape of one scan (OpenAPI); the upload is checked by `_batch_of` and
    `ingest_scans`, which report each bad scan instead of refusing the batch."""

    client_uuid: str = Field(max_length=64)
    gate: str = Field(max_length=64)
    scanned_at: int = Field(ge=0, le=2**32)
    token: str = Field("", max_length=400)
    direction: str = Field(max_length=3)
    temperature: float | None = Field(None, ge=0, le=100)
    client_valid: bool = False
    client_reason: str = Field("", max_length=30)
    manual_reason: str = Field("", max_length=200)


class BatchIn(BaseModel):
    device_id: str = Field(max_length=40)
    device_time: int | None = Field(None, ge=0, le=2**32, description="the device's clock when sending (epoch s)")
    scans: list[ScanIn] = Field(max_length=MAX_BATCH)


class CheckpointIn(BaseModel):
    client_uuid: str = Field(max_length=64)
    gate: str = Field(max_length=64)
    registered_at: int = Field(ge=0, le=2**32)
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)
    coming_from: str = Field("", max_length=100)
    going_to: str = Field("", max_length=100)
    # Checked per entry by ingest_entries (xiachen/passes/temperatures.py): a NaN or a typo rejects
    # that registration alone, while a bound here would refuse the whole batch with a 422.
    temperature: float | Annotated[str, Field(max_length=10)] | None = None
    reason: str = Field("", max_length=200)
    kind: str = Field("other", max_length=20)


class CheckpointBatchIn(BaseModel):
    device_id: str = Field(max_length=40)
    device_time: int | None = Field(None, ge=0, le=2**32, description="the device's clock when sending (epoch s)")
    entries: list[CheckpointIn] = Field(max_length=CHECKPOINT_BATCH)


class ScanResultOut(BaseModel):  # plain pydantic: 500 results per response, validated cheaply
    client_uuid: str
    status: str
    error: str


class BatchOut(BaseModel):
    results: list[ScanResultOut]


class VerifyIn(Schema):
    token: str = Field(max_length=2000)
    gate: UUID | None = None
    direction: str = Field("in", pattern="^(in|out)$")
    temperature: float | None = Field(None, ge=30, le=45)


class VerdictOut(Schema):
    valid: bool
    reason: str
    pass_id: str
    key_id: str
    policy_version: int | None


class LookupOut(Schema):
    pass_id: UUID
    name: str
    token: str


class ScanOut(Schema):
    client_uuid: UUID
    gate: str
    scanned_at: datetime
    direction: str
    pass_id: UUID | None = Field(None, alias="pass_public_id")
    household: UUID | None = Field(None, alias="household_public_id")
    server_valid: bool
    server_reason: str
    client_valid: bool
    client_reason: str
    method: str

    @staticmethod
    def resolve_gate(scan) -> str:
        return str(scan.gate.public_id)


@router.get("/gates/{gate_id}/trust-list", response=TrustListOut)
def trust_list(request, gate_id: UUID):
    gate = access_gate(request.user, gate_id)
    now = timezone.now()
    keys = [
        {"key_id": k.key_id, "public_key": k.public_key, "trusted_until": k.trusted_until}
        for k in trusted_keys(gate.parent, now)
    ]
    return {
        "generated_at": now,
        "stale_after_seconds": stale_after(),
        "audiences": sorted(audiences_of(gate)),
        "keys": keys,
    }


@router.get("/gates/{gate_id}/revocations", response=RevocationsOut)
def revocations(request, gate_id: UUID):
    gate = access_gate(request.user, gate_id)
    now = timezone.now()
    return {"generated_at": now, "passes": revoked_pass_ids(gate.parent, now), "keys": revoked_key_ids(gate.parent)}


@router.get("/gates/{gate_id}/policy", response=PolicyOut)
def policy(request, gate_id: UUID):
    gate = access_gate(request.user, gate_id)
    now, community = timezone.now(), gate.parent
    chain = policy_chain(community, now)
    policy = policy_of_chain(chain)
    since = outs_since(policy, now)
    return {
        "generated_at": now,
        "version": policy.version if policy else None,
        "effective_at": max(v.effective_at for v in chain) if chain else None,
        "rules": combine([v.rules for v in chain]) if chain else None,
        "sources": [{"unit": v.community.name, "number": v.number, "effective_at": v.effective_at} for v in chain],
        "recent_outs": recent_outs(community, since=since, now=now) if since else [],
        "held_passes": held_pass_ids(community, now),
        "designated_passes": designated_pass_ids(community, now) if policy and policy.designated_only else [],
    }


@router.get("/gates/{gate_id}/lookup", response=list[LookupOut])
def manual_lookup(request, gate_id: UUID, reason: str, building: str = "", room: str = "", phone_last4: str = ""):
    """Manual fallback: the current passes of a household (building + room) or by the phone's last 4 digits."""
    gate = access_gate(request.user, gate_id)
    if not reason.strip() or not ((building and room) or (len(phone_last4) == 4 and phone_last4.isdigit())):
        raise HttpError(422, "reason and building+room or 4 phone digits required")
    now = timezone.now()
    passes = Pass.objects.filter(
        household__compound=gate, revoked_at__isnull=True, valid_from__lte=now, valid_until__gt=now
    ).select_related("resident")
    if building and room:
        passes = passes.filter(household__building=building, household__room=room)
    found = [p for p in passes[:200] if not phone_last4 or (p.resident.phone or "").endswith(phone_last4)][:10]
    audit.record(
        actor=request.user,
        action="gate.manual_lookup",
        target=gate,
        fields={"reason": reason[:100], "found": len(found), "by_phone": bool(phone_last4)},
    )
    return [{"pass_id": p.public_id, "name": mask_name(p.resident.name), "token": p.token} for p in found]


def _inline_schema(model: type[BaseModel]) -> dict:
    """A model's JSON schema with its nested models inlined (OpenAPI has no $defs at this place)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(definitions[node["$ref"].rsplit("/", 1)[1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)


BATCH_SCHEMA = _inline_schema(BatchIn)


def _batch_of(request) -> tuple[str, int | None, list]:
    """The upload's envelope, checked by hand; each scan is checked by `ingest_scans`, which rejects a
    bad one alone instead of the whole batch (pydantic over 500 scans was a third of the request)."""
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise HttpError(400, "invalid JSON") from error
    except RecursionError as error:  # arrays or objects nested thousands deep: no scan looks like that
        raise HttpError(400, "JSON nested too deeply") from error
    if not isinstance(body, dict):
        raise HttpError(422, "a JSON object is required")
    device_id, device_time, scans = body.get("device_id"), body.get("device_time"), body.get("scans")
    if not isinstance(device_id, str) or len(device_id) > 40:
        raise HttpError(422, "device_id: a string of at most 40 characters is required")
    if device_time is not None and (
        isinstance(device_time, bool) or not isinstance(device_time, int) or not 0 <= device_time <= 2**32
    ):
        raise HttpError(422, "device_time: epoch seconds or null")
    if not isinstance(scans, list) or len(scans) > MAX_BATCH:
        raise HttpError(422, f"scans: a list of at most {MAX_BATCH} scans is required")
    return device_id, device_time, scans


@router.post(
    "/scans",
    response=BatchOut,
    auth=json_auth,
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": BATCH_SCHEMA}}}},
)
def upload_scans(request):
    """Idempotent batch ingest: each scan is stored once (by client UUID), re-verified by the server."""
    try:
        require_permission(request.user, "gate.scan")
    except PermissionDenied as error:
        raise HttpError(403, "gate duty only") from error
    device_id, device_time, scans = _batch_of(request)
    results = ingest_scans(by=request.user, device_id=device_id, scans=scans, device_time=device_time)
    # Written directly (the shape of BatchOut): validating 500 results again cost more than the insert.
    return HttpResponse(json.dumps({"results": results}), content_type="application/json")


@router.post("/checkpoint", response=BatchOut, auth=json_auth)
def upload_checkpoint(request, batch: CheckpointBatchIn):
    """Idempotent batch upload of checkpoint registrations (people without a pass), by client UUID."""
    try:
        require_permission(request.user, "gate.scan")
    except PermissionDenied as error:
        raise HttpError(403, "gate duty only") from error
    raw = [entry.model_dump() for entry in batch.entries]
    return {"results": ingest_entries(
        by=request.user, device_id=batch.device_id, entries=raw, device_time=batch.device_time
    )}


@router.post("/verify", response=VerdictOut, auth=json_auth)
def verify_pass(request, body: VerifyIn):
    """The server verifier's verdict for one token (at a gate, or at any gate of its issuer)."""
    try:
        require_permission(request.user, "gate.scan")
    except PermissionDenied as error:
        raise HttpError(403, "gate duty only") from error
    gate = access_gate(request.user, body.gate) if body.gate else None
    return verify_token(body.token, gate=gate, direction=body.direction, temperature=body.temperature).as_dict()


@router.get("/scans", response=list[ScanOut])
@paginate
def list_scans(
    request,
    gate: UUID | None = None,
    household: UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
):
    """Scan log search by gate, household and time (supervisors)."""
    return search_scans(request.user, gate=str(gate or ""), household=str(household or ""), since=since, until=until)
