"""Permission matrix rows for the gate page (see tests/accounts/test_permission_matrix.py)."""

from tests.accounts.test_permission_matrix import expect, only

GATE_STAFF = ["worker1", "cadre_user1"]

MATRIX = {
    ("gate:index", None, "get"): only(200, GATE_STAFF, 403),
    ("gate:service_worker", None, "get"): expect(200, anonymous=200),
    ("gate:page", "compound1", "get"): only(200, GATE_STAFF, 404),
}
