"""Reads for accounts: the home page's panels (built in `todo`), the administrator's user list."""


def home_panels(user):
    """The home page's panels, one per role, each the role's waiting work (xiachen.accounts.todo)."""
    from .todo import home_panels as panels

    return panels(user)


def ancestor_paths(path: str) -> list[str]:
    """'/a/b/c/' → ['/a/', '/a/b/', '/a/b/c/']: the units whose subtree contains `path`."""
    codes = path.strip("/").split("/")
    return ["/" + "/".join(codes[: index + 1]) + "/" for index in range(len(codes))]


def users_with_role_over(role: str, unit_path: str):
    """Active users holding `role` on the unit at `unit_path` or any unit above it (one query)."""
    from .models import User

    return User.objects.filter(
        is_active=True, memberships__role=role, memberships__is_active=True,
        memberships__unit__path__in=ancestor_paths(unit_path),
    ).distinct()
