"""Permission matrix of the map boundary upload (merged by tests/accounts/test_permission_matrix.py)."""

from tests.accounts.test_permission_matrix import only

MATRIX = {
    ("maps:boundaries", None, "get"): only(200, ["sysadmin"], 403),
}
ARGS: dict = {}
