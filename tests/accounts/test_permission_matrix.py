"""Every URL pattern and API operation × every role (and anonymous) × method, with the expected status.

Personas come in pairs (liaison1/liaison2, manager1/manager2) so a leak between siblings shows: each
object belongs to one of the pair's communities or agencies, so every request is made once with ids of
the role's own unit and once with ids of another. The last test fails when a URL pattern exists that
this matrix does not cover.

This is also the privacy sweep (docs/security.md): the PII tripwire of the test settings reads every
response — HTML, JSON, spreadsheets cell by cell, PDF text — and every log line, and fails the request
on a full ID number or mobile number that is not a deliberate, audited reveal. The fixture people
carry real-format ID numbers and phones (checked below), so a leak cannot pass unseen.
"""

import importlib
from datetime import date
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.tripwire import find_personal_data
from xiachen.deployments.checkin import checkin_token
from xiachen.deployments.models import Demand, Deployment, Match, PostType, Round
from xiachen.deployments.services import create_round, set_round_scope
from xiachen.notices.services import notify

ROLES = [
    "anonymous",
    "org_department",
    "liaison1",
    "liaison2",
    "manager1",
    "manager2",
    "worker1",
    "cadre_user1",
    "hotline",
    "resident_user1",
    "auditor",
    "sysadmin",
]
LOGGED_IN = ROLES[1:]


def expect(default: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    statuses = {role: default for role in LOGGED_IN} | {"anonymous": anonymous}
    statuses.update(overrides)
    return statuses


def only(status_for_allowed: int, allowed: list[str], others: int, anonymous: int = 302) -> dict[str, int]:
    return {role: status_for_allowed if role in allowed else others for role in LOGGED_IN} | {"anonymous": anonymous}


UNIT_VIEWERS = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline"]
CADRE_VIEWERS = ["org_department", "liaison1", "liaison2"]
CADRE_IMPORTERS = CADRE_VIEWERS
HOUSEHOLD_VIEWERS = ["org_department", "manager1", "manager2", "worker1"]
HOUSEHOLD_IMPORTERS = ["manager1", "manager2"]


# Writes on a round: the organization department is redirected back with a message (the round's
# state refuses the move), other roles who can see the round get 403, the rest 404.
ROUND_WRITE = only(403, ["liaison1", "manager1", "cadre_user1"], 404) | {"org_department": 302}

# (url name, args builder, method) → expected status per role.
MATRIX = {
    # A resident (no staff role) is sent on to the resident site's home.
    ("accounts:home", None, "get"): expect(200) | {"resident_user1": 302},
    ("accounts:login", None, "get"): expect(302, anonymous=200),
    ("accounts:logout", None, "post"): expect(302, anonymous=302),
    # Staff pages refuse a resident (xiachen.resident.middleware): the refusal in the resident layout.
    ("accounts:otp_setup", None, "get"): expect(200) | {"resident_user1": 403},
    ("accounts:otp_verify", None, "get"): expect(200) | {"resident_user1": 403},
    ("accounts:users", None, "get"): only(200, ["sysadmin"], 403),
    ("accounts:privacy", None, "get"): expect(200, anonymous=200),
    ("org:list", None, "get"): only(200, UNIT_VIEWERS, 403),
    ("org:detail", "community1", "get"): only(
        200, ["org_department", "manager1", "worker1", "cadre_user1", "hotline"], 404
    ),
    ("org:detail", "community2", "get"): only(200, ["org_department", "manager2"], 404),
    ("org:import", None, "get"): only(200, ["org_department"], 403),
    ("org:import_template", None, "get"): only(200, ["org_department"], 403),
    ("cadres:list", None, "get"): only(200, CADRE_VIEWERS, 403),
    ("cadres:import", None, "get"): only(200, CADRE_IMPORTERS, 403),
    ("cadres:import_template", None, "get"): only(200, CADRE_IMPORTERS, 403),
    ("cadres:export", None, "get"): only(200, CADRE_VIEWERS, 403),
    ("cadres:detail", "cadre1", "get"): only(200, ["org_department", "liaison1", "cadre_user1"], 404),
    ("cadres:reveal", "cadre1_phone", "post"): only(200, ["org_department", "liaison1"], 404, anonymous=302)
    | {"cadre_user1": 403},
    ("cadres:reveal", "cadre1_phone", "get"): expect(405),
    ("households:list", None, "get"): only(200, HOUSEHOLD_VIEWERS, 403),
    ("households:import", None, "get"): only(200, HOUSEHOLD_IMPORTERS, 403),
    ("households:import_template", None, "get"): only(200, HOUSEHOLD_IMPORTERS, 403),
    ("households:export", None, "get"): only(200, HOUSEHOLD_VIEWERS, 403),
    ("households:detail", "household1", "get"): only(200, ["org_department", "manager1", "worker1"], 404),
    ("households:reveal", "resident1_id", "post"): only(200, ["manager1", "worker1"], 404) | {"org_department": 403},
    ("households:reveal", "resident1_id", "get"): expect(405),
    ("audit:list", None, "get"): only(200, ["auditor"], 403),
    ("set_language", None, "post"): expect(302, anonymous=302),
    ("favicon", None, "get"): expect(301, anonymous=301),
    # Documentation and schema: staff only (a resident gets 403, anonymous the sign-in page)
    ("api:openapi-json", None, "get"): expect(200, anonymous=302, resident_user1=403),
    ("api:openapi-view", None, "get"): expect(200, anonymous=302, resident_user1=403),
    ("api:api-root", None, "get"): expect(404, anonymous=404),
    ("api:list_units", None, "get"): expect(200, anonymous=401),
    ("api:get_unit", "community1", "get"): only(
        200, ["org_department", "manager1", "worker1", "cadre_user1", "hotline"], 404, anonymous=401
    ),
    ("api:get_subtree", "community2", "get"): only(200, ["org_department", "manager2"], 404, anonymous=401),
    ("api:list_cadres", None, "get"): expect(200, anonymous=401),
    ("api:get_cadre", "cadre1", "get"): only(200, ["org_department", "liaison1", "cadre_user1"], 404, anonymous=401),
    ("api:list_households", None, "get"): expect(200, anonymous=401),
    ("api:get_household", "household1", "get"): only(
        200, ["org_department", "manager1", "worker1"], 404, anonymous=401
    ),
    # deployment rounds: a round in review whose one match sends cadre1 (agency1) to community1
    ("deployments:rounds", None, "get"): only(
        200, ["org_department", "liaison1", "liaison2", "manager1", "manager2"], 403
    ),
    ("deployments:round_new", None, "get"): only(200, ["org_department"], 403),
    ("deployments:round_detail", "round", "get"): only(
        200, ["org_department", "liaison1", "manager1", "cadre_user1"], 404
    ),
    ("deployments:round_scope", "round", "post"): ROUND_WRITE,
    # The organization department goes first and queues a run; the proposed match stays until the
    # run stores its plan (issue #16), so the liaison and the cadre still see the round.
    ("deployments:round_run", "round", "post"): ROUND_WRITE,
    ("deployments:round_publish", "round", "post"): ROUND_WRITE,
    ("deployments:round_close", "round", "post"): ROUND_WRITE,
    ("deployments:round_progress", "round", "get"): only(
        200, ["org_department", "liaison1", "manager1", "cadre_user1"], 404
    ),
    ("deployments:round_check", "round", "get"): ROUND_WRITE | {"org_department": 200},
    # Nothing picked: the organization department is sent back with a message.
    ("deployments:round_assign", "round", "post"): ROUND_WRITE,
    # The organization department removes the match first; then it is gone for everyone.
    ("deployments:match_remove", "match", "post"): only(404, [], 404) | {"org_department": 302},
    ("deployments:match_decide", "match", "post"): ROUND_WRITE | {"org_department": 403, "liaison1": 302},
    ("deployments:match_arrive", "match", "post"): ROUND_WRITE
    | {"org_department": 403, "manager1": 302, "cadre_user1": 302},
    # cadre1's match is proposed, not a no-show: the organization department is told so (302)
    ("deployments:match_replace", "match", "post"): ROUND_WRITE,
    ("deployments:nominations", None, "get"): only(200, ["liaison1", "liaison2"], 403),
    ("deployments:checkin_code", "community1", "get"): only(
        403, ["org_department", "worker1", "cadre_user1", "hotline"], 404
    )
    | {"manager1": 200},
    ("deployments:checkin", "checkin_token", "get"): expect(200) | {"resident_user1": 403},
    ("deployments:mine", None, "get"): expect(200) | {"resident_user1": 403},
    ("deployments:demands", None, "get"): only(200, ["org_department", "manager1", "manager2"], 403),
    ("deployments:demand_new", None, "get"): only(200, ["manager1", "manager2"], 403),
    ("deployments:demand_import", None, "get"): only(200, ["manager1", "manager2"], 403),
    ("deployments:demand_import_template", None, "get"): only(200, ["manager1", "manager2"], 403),
    ("deployments:affinity", None, "get"): only(200, ["org_department"], 403),
    ("deployments:affinity_set", "affinity_cell", "post"): only(302, ["org_department"], 403),
    ("deployments:demand_detail", "demand", "get"): only(200, ["org_department", "manager1"], 404),
    ("deployments:demand_edit", "demand", "get"): only(200, ["manager1"], 404) | {"org_department": 403},
    ("deployments:demand_close", "demand", "post"): only(302, ["manager1"], 404) | {"org_department": 403},
    # outputs of a published round that sends cadre1 (agency1) to community1
    ("deployments:plan_agency_xlsx", "published_agency", "get"): only(200, ["org_department", "liaison1"], 404),
    ("deployments:plan_unit_xlsx", "published_unit", "get"): only(200, ["org_department", "manager1"], 404),
    ("deployments:notice_pdf", "published_match", "get"): only(200, ["org_department", "liaison1", "cadre_user1"], 404),
    ("notices:inbox", None, "get"): expect(200) | {"resident_user1": 403},
    ("notices:unread_badge", None, "get"): expect(200) | {"resident_user1": 403},
    ("notices:read", "notification", "post"): only(302, ["manager1"], 404),
}


ROUND_ARGS = {
    "round": lambda tree, m: [m.round.public_id],
    "match": lambda tree, m: [m.public_id],
    "demand": lambda tree, m: [m.demand.public_id],
    "checkin_token": lambda tree, m: [checkin_token(tree.community1)],
    "affinity_cell": lambda tree, m: ["audit", "gate_duty"],
    "published_agency": lambda tree, m: [m.published.round.public_id, tree.agency1.public_id],
    "published_unit": lambda tree, m: [m.published.round.public_id, tree.community1.public_id],
    "published_match": lambda tree, m: [m.published.public_id],
    "notification": lambda tree, m: [m.notification.public_id],
}


def _args(key: str, tree, cadre1, resident1, round_match=None) -> list:
    if key in ROUND_ARGS:
        return ROUND_ARGS[key](tree, round_match)
    return {
        "community1": [tree.community1.public_id],
        "community2": [tree.community2.public_id],
        "cadre1": [cadre1.public_id],
        "cadre1_phone": [cadre1.public_id, "phone"],
        "household1": [resident1.household.public_id],
        "resident1_id": [resident1.public_id, "id_number"],
    }[key]


@pytest.fixture
def round_match(tree, people, cadre1):
    """A round under review with one proposed match: cadre1 (agency1) → a demand of community1."""
    by = people.org_department
    demand = Demand.objects.create(
        unit=tree.community1,
        post_type=PostType.objects.get(code="gate_duty"),
        headcount=1,
        start=date(2026, 12, 1),
        end=date(2026, 12, 31),
        created_by=by,
    )
    round_ = create_round(by=by, name="矩阵轮次", kind="normalized", start=date(2026, 12, 1), end=date(2026, 12, 31))
    set_round_scope(by=by, round_=round_, demands=[demand], quotas={tree.agency1: 1})
    Round.objects.filter(pk=round_.pk).update(status="review")
    match = Match.objects.create(round=round_, demand=demand, cadre=cadre1, agency_path=cadre1.agency_path)
    match.published = _published_match(by, tree, cadre1, demand)
    match.notification = notify(recipients=[people.manager1], kind="test", title="测试")[0]
    return match


def _published_match(by, tree, cadre1, demand):
    round_ = create_round(by=by, name="已发布轮次", kind="normalized", start=date(2026, 12, 1), end=date(2026, 12, 31))
    round_.demands.add(demand)
    Round.objects.filter(pk=round_.pk).update(status="published")
    match = Match.objects.create(
        round=round_, demand=demand, cadre=cadre1, agency_path=cadre1.agency_path, status="confirmed"
    )
    Deployment.objects.create(match=match, cadre=cadre1)
    return match


def _app_matrices() -> tuple[dict, dict]:
    """Each app's tests may add `tests/<app>/matrix.py` with MATRIX (same shape as above) and
    ARGS: {args key: callable(request) -> list} building URL arguments from fixtures."""
    matrix, builders, owners = {}, {}, {}
    for path in sorted(Path(__file__).resolve().parents[1].glob("*/matrix.py")):
        app = path.parent.name
        module = importlib.import_module(f"tests.{app}.matrix")
        # A key two apps define would silently replace the other's row or argument builder, and the
        # replaced rows would then test the wrong object: refuse it at import.
        args = getattr(module, "ARGS", {})
        sources = (("row", module.MATRIX, matrix, MATRIX), ("ARGS key", args, builders, ROUND_ARGS))
        for kind, entries, merged, main in sources:
            for key in entries:
                if key in merged or key in main:
                    owner = owners.get((kind, key), "tests/accounts")
                    raise AssertionError(f"matrix {kind} {key!r} of tests/{app} is also defined by {owner}")
                owners[(kind, key)] = f"tests/{app}"
            merged |= entries
    return matrix, builders


APP_MATRIX, APP_ARGS = _app_matrices()
MATRIX |= APP_MATRIX


@pytest.mark.parametrize(("name", "args", "method"), list(MATRIX), ids=[f"{n}-{a}-{m}" for n, a, m in MATRIX])
def test_permission_matrix(request, client, tree, people, cadre1, resident1, round_match, name, args, method):
    """All roles for one pattern in one test: the fixtures are built once, every mismatch is listed."""
    if args in APP_ARGS:
        url_args = APP_ARGS[args](request)
    else:
        url_args = _args(args, tree, cadre1, resident1, round_match) if args else None
    url = reverse(name, args=url_args)
    data = {"language": "en"} if name == "set_language" else {}
    actual = {}
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(people, role))
        actual[role] = getattr(client, method)(url, data).status_code
    assert actual == MATRIX[(name, args, method)]


def test_the_sweep_has_personal_data_to_leak(cadre1, resident1):
    """The tripwire can only catch what exists: the fixture people carry full, valid-format values."""
    assert find_personal_data(f"{resident1.id_number} {resident1.phone}") == [resident1.id_number, resident1.phone]
    assert find_personal_data(f"{cadre1.id_number} {cadre1.phone}") == [cadre1.id_number, cadre1.phone]


def _all_pattern_names(patterns, namespace="") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _all_pattern_names(
                pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_is_in_the_matrix():
    covered = {name for name, _args, _method in MATRIX}
    assert _all_pattern_names(get_resolver().url_patterns) - covered == set()
