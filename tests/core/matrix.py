"""Searchable-picker URLs × roles for tests/accounts/test_permission_matrix.py.

The options endpoint checks the picker's permission (403 without it) and answers 200 with the
user's own valid choices (scoping is tested in tests/core/test_pickers.py); an unknown picker is 404.
"""

ROLES = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
         "resident_user1", "auditor", "sysadmin"]


def only(allowed: list[str]) -> dict[str, int]:
    return {role: 200 if role in allowed else 403 for role in ROLES} | {"anonymous": 302}


MATRIX = {
    # A cadre may file an errand for households where they are on duty (none here: an empty list).
    ("core:pick", "pick_household", "get"): only(["manager1", "manager2", "worker1", "cadre_user1"]),
    ("core:pick", "pick_resident", "get"): only(["manager1", "manager2", "worker1"]),
    ("core:pick", "pick_place", "get"): only(["hotline"]),
    ("core:pick", "pick_round_cadre", "get"): only(["org_department"]),
    ("core:pick", "pick_pass", "get"): only(["manager1", "manager2"]),
    ("core:pick", "pick_policy", "get"): only(["org_department", "liaison1", "liaison2"]),
    ("core:pick", "pick_pass_resident", "get"): only(["manager1", "manager2"]),
    ("core:pick", "pick_route_unit", "get"): only(["hotline"]),
    ("core:pick", "pick_errand_assignee", "get"): only(["manager1", "manager2"]),
    ("core:pick", "pick_roster_partner", "get"): only(["cadre_user1"]),
    ("core:pick", "pick_roster_cadre", "get"): only(["manager1", "manager2"]),
    ("core:pick", "pick_transfer_unit", "get"): only(["manager1", "manager2", "worker1"]),
    ("core:pick", "pick_policy_unit", "get"): only(["org_department", "manager1", "manager2", "worker1",
                                                    "cadre_user1"]),
    ("core:pick", "pick_key_community", "get"): only(["manager1", "manager2"]),
    ("core:pick", "pick_rule_unit", "get"): only(["org_department"]),
    ("core:pick", "pick_unknown", "get"): {role: 404 for role in ROLES} | {"anonymous": 302},
}

ARGS = {
    "pick_household": lambda request: ["errand-household"],
    "pick_resident": lambda request: ["quarantine-resident"],
    "pick_place": lambda request: ["hotline-place"],
    "pick_round_cadre": lambda request: ["round-cadre"],
    "pick_pass": lambda request: ["revocable-pass"],
    "pick_policy": lambda request: ["pass-policy-version"],
    "pick_pass_resident": lambda request: ["pass-resident"],
    "pick_route_unit": lambda request: ["hotline-route-unit"],
    "pick_errand_assignee": lambda request: ["errand-assignee"],
    "pick_roster_partner": lambda request: ["roster-partner"],
    "pick_roster_cadre": lambda request: ["roster-cadre"],
    "pick_transfer_unit": lambda request: ["hotline-transfer-unit"],
    "pick_policy_unit": lambda request: ["pass-policy-unit"],
    "pick_key_community": lambda request: ["pass-key-community"],
    "pick_rule_unit": lambda request: ["hotline-rule-unit"],
    "pick_unknown": lambda request: ["no-such-picker"],
}
