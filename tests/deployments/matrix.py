"""Deployment URLs added after the central matrix (tests/accounts/test_permission_matrix.py), × roles."""

ROLES = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
         "resident_user1", "auditor", "sysadmin"]


def only(status: int, allowed: list[str], others: int, anonymous: int = 302) -> dict[str, int]:
    return {role: status if role in allowed else others for role in ROLES} | {"anonymous": anonymous}


ARGS: dict = {}

MATRIX = {
    # The round's one match is proposed, not declined: the liaison of its agency is told so (302);
    # the organization department does not answer for agencies (403); who cannot see the match: 404.
    ("deployments:match_other_posts", "match", "post"): only(403, ["manager1", "cadre_user1"], 404)
    | {"org_department": 403, "liaison1": 302},
}
