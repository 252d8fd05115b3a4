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
from .rules import combine, policy_from
from .verifier import Policy, Snapshot, TrustedKey


def _within(user, permission: str, field: str = "community_path") -> Q:
    return path_within(scope_paths(user, permission), field=field)


def passes_visible_to(user) -> QuerySet[Pass]:
    return Pass.objects.filter(_within(user, "passes.view")).select_related("resident", "household", "audience")


def access_pass(user, public_id: UUID) -> Pass:
    return get_object_or_404(passes_visible_to(user), public_id=public_id)


def policies_visible_to(user) -> QuerySet[PolicyVersion]:
    """Versions of the user's units and of the areas above them (which their communities inherit)."""
    paths = scope_paths(user, "passes.view_policy")
    above = {prefix for path in paths for prefix in prefixes_of(path)}
    condition = path_within(paths, field="community_path") | Q(community_path__in=above)
    return PolicyVersion.objects.filter(condition).select_related("community", "community__kind", "author")


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
    """The unit's own version in force at `at` (a community's, or an area's: city, district)."""
    return PolicyVersion.objects.filter(community=community, effective_at__lte=at).order_by("-effective_at").first()


def prefixes_of(path: str) -> list[str]:
    """The paths of a unit and of every unit above it, top first: "/a/b/" → ["/a/", "/a/b/"]."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def policy_chain(community, at: datetime) -> list[PolicyVersion]:
    """The versions in force at `at` for the community and each area above it (city first, the
    community's own last): what the community's gates apply, field by field the tightest."""
    chain = {}
    versions = PolicyVersion.objects.filter(community_path__in=prefixes_of(community.path), effective_at__lte=at)
    for version in versions.select_related("community").order_by("community_path", "effective_at", "number"):
        chain[version.community_path] = version  # the latest in force per unit
    return [chain[path] for path in sorted(chain, key=len)]


def policy_of_chain(chain: list[PolicyVersion]) -> Policy | None:
    """The Policy a gate applies under `chain`. Its version number is the community's own version's,
    or the nearest area's when the community has none (the chain is listed beside it on the pages)."""
    if not chain:
        return None
    return policy_from(combine([version.rules for version in chain]), chain[-1].number)


def effective_policy(community, at: datetime) -> Policy | None:
    return policy_of_chain(policy_chain(community, at))


def areas_for(user) -> QuerySet[Unit]:
    """Cities and districts (any unit above communities) whose pass policy the user may publish."""
    return Unit.objects.filter(
        path_within(scope_paths(user, "passes.manage_area_policy")), kind__code__in=AREA_KINDS
    ).order_by("path")


AREA_KINDS = ("city", "district", "street")


def designated_pass_ids(community, at: datetime) -> list[str]:
    """Current passes of the households' designated members (指定外出人员): ids only."""
    from django.db.models import F

    rows = Pass.objects.filter(
        community=community, revoked_at__isnull=True, valid_until__gt=at, resident_id=F("household__outing_member_id")
    )
    return [str(pid) for pid in rows.values_list("public_id", flat=True)]


def held_pass_ids(community, at: datetime) -> list[str]:
    """Current passes of people held at home at `at`: every member of a household with a home
    quarantine (居家隔离), and the person under health monitoring (健康监测). Ids only: the gate is
    told that a pass may not go out, never why."""
    from xiachen.errands.selectors import held_at_home

    households, residents = held_at_home(community.path, at)
    rows = Pass.objects.filter(community=community, revoked_at__isnull=True, valid_until__gt=at).filter(
        Q(household_id__in=households) | Q(resident_id__in=residents)
    )
    return [str(pid) for pid in rows.values_list("public_id", flat=True)]


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
    keys, revoked_keys = trust_for(community, at=at)
    return Snapshot(
        keys=keys,
        revoked_keys=revoked_keys,
        revoked_passes=frozenset(revoked_pass_ids(community, at)),
        audiences=audiences,
        policy=effective_policy(community, at),
        held_passes=frozenset(held_pass_ids(community, at)),
        designated_passes=frozenset(designated_pass_ids(community, at)),
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


def outs_since(policy: Policy | None, now: datetime) -> datetime | None:
    """From when outings matter to `policy` at `now`: the local midnight that starts the interval's
    first calendar day, or a day before the longest outing began (a return up to a day late is
    still flagged), whichever is earlier (None: never)."""
    if policy is None or not (policy.out_every_days or policy.max_hours_out):
        return None
    since = now
    if policy.out_every_days:
        first_day = timezone.localdate(now) - timedelta(days=policy.out_every_days - 1)
        since = timezone.make_aware(datetime.combine(first_day, datetime.min.time()))
    if policy.max_hours_out:
        since = min(since, now - timedelta(hours=policy.max_hours_out, days=1))
    return since


def household_outs(household_id: str, *, since: datetime, before: datetime) -> list[tuple[str, int]]:
    """(pass id, epoch) of the household's outings let through in [since, before): one household."""
    rows = Scan.objects.filter(
        household_public_id=household_id, direction="out", server_valid=True, scanned_at__gte=since,
        scanned_at__lt=before,
    ).values_list("pass_public_id", "scanned_at")
    return [(str(pass_id), int(at.timestamp())) for pass_id, at in rows]


def recent_outs(community, *, since: datetime, now=None) -> list[dict]:
    """The server summary a gate merges with its own scans: the outings let through since `since`
    (see outs_since), as {household, pass_id, at} — the shape the gate's verifier reads."""
    now = now or timezone.now()
    rows = (
        Scan.objects.filter(
            gate_path__startswith=community.path,
            direction="out",
            server_valid=True,
            scanned_at__gte=since,
        )
        .values("household_public_id", "pass_public_id", "scanned_at")
        .order_by("scanned_at")[:20000]
    )
    return [
        {
            "household": str(r["household_public_id"]),
            "pass_id": str(r["pass_public_id"]),
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
