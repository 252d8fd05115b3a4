"""Permission matrix of the phone app (collected by tests/accounts/test_permission_matrix.py): the people
who work errands and visits (managers, community workers, cadres) use it; its worker and manifest are
public files. A form body on the sync endpoint is refused as bad JSON (400)."""

from tests.accounts.test_permission_matrix import expect, only

FIELD_USERS = ["manager1", "manager2", "worker1", "cadre_user1"]

MATRIX = {
    ("field:app", None, "get"): only(200, FIELD_USERS, 403),
    ("field:scan", "field_token", "get"): only(200, FIELD_USERS, 403),
    ("field:data", None, "get"): only(200, FIELD_USERS, 403),
    ("field:sync", None, "post"): only(400, FIELD_USERS, 403),
    ("field:service_worker", None, "get"): expect(200, anonymous=200),
    ("field:manifest", None, "get"): expect(200, anonymous=200),
}

ARGS = {"field_token": lambda request: ["not-a-token"]}
