"""The resident site's gate: signed-in users linked to a resident; anonymous visitors go to the
resident sign-in page, staff without a resident record get 403."""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from xiachen.accounts.enums import STAFF_ROLES
from xiachen.accounts.permissions import roles_of

if TYPE_CHECKING:
    from xiachen.households.models import Resident


class ResidentRequest(HttpRequest):
    """A request to a :func:`resident_page` view: the signed-in user's resident record is attached."""

    resident: Resident


def resident_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        resident = getattr(request.user, "resident", None)
        if resident is None:
            raise PermissionDenied("resident site")
        request.resident = resident
        return view(request, *args, **kwargs)

    wrapper.login_url = "resident:login"  # read by LoginRequiredMiddleware
    return wrapper


def resident_only(user) -> bool:
    """A signed-in resident with no staff role: their home is the resident site, not the staff one."""
    if not user.is_authenticated or roles_of(user) & STAFF_ROLES:  # memberships are cached per request
        return False
    return getattr(user, "resident", None) is not None


# 长辈模式 (elder mode, MIIT 适老化): remembered in a cookie, so it also holds before sign-in.
ELDER_COOKIE = "xiachen_elder"
ELDER_MAX_AGE = 60 * 60 * 24 * 365
ELDER_ITEMS = 3  # items per list on the home page in elder mode (fewer items per screen)
STANDARD_ITEMS = 5


def elder_mode(request) -> bool:
    return request.COOKIES.get(ELDER_COOKIE) == "1"


def items_per_list(request) -> int:
    return ELDER_ITEMS if elder_mode(request) else STANDARD_ITEMS
