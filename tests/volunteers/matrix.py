"""Permission matrix of the 双报到 pages (collected by tests/accounts/test_permission_matrix.py).

World (tests/volunteers/world.py): agency1 is paired with community1 (one project), agency2 with
community2. liaison1 keeps agency1's member list; resident1 (compound1, community1) has reported as
an in-service member of agency1; community1 has a post, an activity with resident1 signed up, a
pending service record and a catalogue item. manager1/worker1 run community1; manager2 and liaison2
see none of it.
"""

LOGGED_IN = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
             "resident_user1", "auditor", "sysadmin"]


def only(status: int, allowed: list[str], others: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    return {role: status if role in allowed else others for role in LOGGED_IN} | {"anonymous": anonymous} | overrides


PAIRING_VIEWERS = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1"]

MATRIX = {
    ("volunteers:pairings", None, "get"): only(200, PAIRING_VIEWERS, 403),
}

ARGS = {}
