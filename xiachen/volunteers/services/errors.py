class VolunteerError(ValueError):
    """A refused request, with a Chinese message for the user."""


def check_transition(table: dict, current: str, to: str, message: str) -> None:
    if to not in table.get(current, ()):
        raise VolunteerError(message)
