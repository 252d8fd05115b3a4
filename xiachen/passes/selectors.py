"""Reads of passes, scoped to the user's units, and the verifier snapshot a gate works from."""

import base64
from datetime import datetime, timedelta
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xiachen.accounts.models import User
from xiachen.accounts.permissions import scope_paths
from xiachen.org.models import Unit, is_broad_scope, path_within

from .models import (
    CorrectionRequest,
    Disagreement,
    FeverAlert,
    Pass,
    PolicyVersion,
    RevocationRequest,
    Scan,
    SigningKey,
)
from .rules import policy_of
from .verifier import Snapshot, TrustedKey


def _within(user, permission: str, field: str = "community_path") -> Q:
    return path_within(scope_paths(user, permission), field=field)


def passes_visible_to(user) -> QuerySet[Pass]:
    return Pass.objects.filter(_within(user, "passes.view")).select_related("resident", "household", "audience")


def access_pass(user, public_id: UUID) -> Pass:
    return get_object_or_404(passes_visible_to(user), public_id=public_id)


def policies_visible_to(user) -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.filter(_within(user, "passes.view_policy")).select_related("community", "author")


def access_policy(user, public_id: UUID) -> PolicyVersion:
    return get_object_or_404(policies_visible_to(user), public_id=public_id)


def keys_visible_to(user) -> QuerySet[SigningKey]:
    return SigningKey.objects.filter(_within(user, "passes.manage_keys")).select_related("community")


def revocation_requests_visible_to(user) -> QuerySet[RevocationRequest]:
    return RevocationRequest.objects.filter(_within(user, "passes.revoke")).select_related("requested_by")


def communities_for(user, permission: str) -> QuerySet[Unit]:
    return Unit.objects.filter(path_within(scope_paths(user, permission)), kind__code="community").order_by("path")


def gates_for(user) -> QuerySet[Unit]:
    """Compounds where the user may do gate duty."""
    return Unit.objects.filter(path_within(scope_paths(user, "gate.scan")), kind__code="compound").order_by("path")


def access_gate(user, public_id: UUID) -> Unit:
    return get_object_or_404(gates_for(user).select_related("parent", "kind"), public_id=public_id)


def policy_in_force(community, at: datetime) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(community=community, effective_at__lte=at).order_by("-effective_at").first()


def unacknowledged_staff(version: PolicyVersion) -> QuerySet[User]:
    """Gate staff of the version's community who have not acknowledged it (read receipts)."""
    return (
        User.objects.filter(
            memberships__is_active=True,
            memberships__role__in=["community_worker", "cadre"],
            memberships__unit__path__startswith=version.community.path,
        )
        .exclude(pk__in=version.acknowledgements.values("user"))
        .distinct()
        .order_by("username")
    )


def trusted_keys(community, at: datetime) -> QuerySet[SigningKey]:
    return SigningKey.objects.filter(community=community, revoked_at__isnull=True, valid_from__lte=at).filter(
        Q(trusted_until__isnull=True) | Q(trusted_until__gt=at)
    )


def revoked_key_ids(community) -> list[str]:
    return list(
        SigningKey.objects.filter(community=community, revoked_at__isnull=False).values_list("key_id", flat=True)
    )


def revoked_pass_ids(community, at: datetime) -> list[str]:
    rows = Pass.objects.filter(community=community, revoked_at__isnull=False, valid_until__gt=at - timedelta(days=1))
    return [str(pid) for pid in rows.values_list("public_id", flat=True)]


def audiences_of(gate: Unit) -> frozenset[str]:
    """A compound's gate accepts passes for the compound and for its whole community."""
    return frozenset({str(gate.public_id), str(gate.parent.public_id)} if gate.parent else {str(gate.public_id)})


def trust_for(community, *, at: datetime) -> tuple[dict[str, TrustedKey], frozenset[str]]:
    """The community's keys trusted at `at` (by key id) and its revoked key ids, in one query."""
    keys, revoked_keys = {}, set()
    for key_id, public_key, valid_from, trusted_until, revoked_at in SigningKey.objects.filter(
        community=community
    ).values_list("key_id", "public_key", "valid_from", "trusted_until", "revoked_at"):
        if revoked_at is not None:
            revoked_keys.add(key_id)
        elif valid_from <= at and (trusted_until is None or trusted_until > at):
            keys[key_id] = TrustedKey(base64.b64decode(public_key), str(community.public_id))
    return keys, frozenset(revoked_keys)


def snapshot_for(community, *, at: datetime, audiences: frozenset[str] = frozenset()) -> Snapshot:
    """What the server knows at `at`: the same inputs the gate page caches."""
    version = policy_in_force(community, at)
    keys, revoked_keys = trust_for(community, at=at)
    return Snapshot(
        keys=keys,
        revoked_keys=revoked_keys,
        revoked_passes=frozenset(revoked_pass_ids(community, at)),
        audiences=audiences,
        policy=policy_of(version) if version else None,
    )


def scans_visible_to(user) -> QuerySet[Scan]:
    paths = scope_paths(user, "passes.review_scans")
    # A district's or city's scans are walked newest first (scanned_at index), not found by path and sorted.
    within = path_within(paths, field="gate_path", indexed=not is_broad_scope(paths))
    return Scan.objects.filter(within).select_related("gate")


SCAN_ORDER = ["-scanned_at", "-id"]  # newest first; the id makes the keyset order total


def scan_gates_for(user) -> QuerySet[Unit]:
    """Compounds whose scans the user may review, for the scan log's gate filter."""
    return Unit.objects.filter(
        path_within(scope_paths(user, "passes.review_scans")), kind__code="compound"
    ).order_by("path")


def search_scans(user, *, gate: str = "", household: str = "", since=None, until=None) -> QuerySet[Scan]:
    scans = scans_visible_to(user)
    if gate:
        scans = scans.filter(gate__public_id=gate)
    if household:
        scans = scans.filter(household_public_id=household)
    if since:
        scans = scans.filter(scanned_at__gte=since)
    if until:
        scans = scans.filter(scanned_at__lt=until)
    return scans.order_by(*SCAN_ORDER)


def hourly_flows(user, *, since: datetime) -> list[dict]:
    """In/out counts per gate and hour since `since` (valid scans only)."""
    return list(
        scans_visible_to(user)
        .filter(scanned_at__gte=since, server_valid=True)
        .annotate(hour=TruncHour("scanned_at"))
        .values("gate__name", "hour", "direction")
        .annotate(count=Count("id"))
        .order_by("hour", "gate__name", "direction")
    )


def disagreements_visible_to(user) -> QuerySet[Disagreement]:
    return Disagreement.objects.filter(_within(user, "passes.review_scans", field="gate_path")).select_related(
        "scan", "scan__gate"
    )


def fever_alerts_visible_to(user) -> QuerySet[FeverAlert]:
    return FeverAlert.objects.filter(_within(user, "passes.review_scans", field="gate_path")).select_related(
        "scan", "scan__gate"
    )


def corrections_visible_to(user) -> QuerySet[CorrectionRequest]:
    return CorrectionRequest.objects.filter(_within(user, "passes.revoke")).select_related(
        "resident", "pass_ref", "scan", "scan__gate"
    )


def recent_outs(community, *, days: int, now=None) -> list[dict]:
    """The server summary a gate merges with its own scans for "went out within N days"."""
    now = now or timezone.now()
    rows = (
        Scan.objects.filter(
            gate_path__startswith=community.path,
            direction="out",
            server_valid=True,
            scanned_at__gte=now - timedelta(days=days),
        )
        .values("household_public_id", "pass_public_id", "scanned_at")
        .order_by("scanned_at")[:20000]
    )
    return [
        {
            "household": str(r["household_public_id"]),
            "pass": str(r["pass_public_id"]),
            "at": int(r["scanned_at"].timestamp()),
        }
        for r in rows
        if r["household_public_id"]
    ]


def revocable_passes(user) -> QuerySet[Pass]:
    """Passes the user may revoke: current (not revoked, not expired) passes in their scope."""
    return (
        Pass.objects.filter(_within(user, "passes.revoke"), revoked_at__isnull=True, valid_until__gt=timezone.now())
        .select_related("resident", "household", "household__compound", "audience")
        .order_by("community_path", "household__building", "household__room", "resident__name", "id")
    )
