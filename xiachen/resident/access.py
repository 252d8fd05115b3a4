"""The resident site's gate: signed-in users linked to a resident; anonymous visitors go to the
resident sign-in page, staff without a resident record get 403."""

from functools import wraps

from django.core.exceptions import PermissionDenied


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
