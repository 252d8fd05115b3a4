"""The one NinjaAPI, mounted at /api/. Integrations authenticate with an API token (`Authorization: Bearer
xc_…`, xiachen.interop.tokens), the browser with the Django session."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI
from ninja.security import django_auth

from xiachen.accounts.enums import STAFF_ROLES
from xiachen.accounts.permissions import roles_of
from xiachen.cadres.api import router as cadres_router
from xiachen.deployments.api import router as demands_router
from xiachen.errands.api import router as errands_router
from xiachen.hotline.api import router as hotline_router
from xiachen.households.api import router as households_router
from xiachen.interop.auth import token_auth
from xiachen.notices.api import router as notices_router
from xiachen.org.api import router as org_router
from xiachen.passes.api import router as passes_router


def staff_only(view):
    """The API's documentation and schema are for integrators on the staff, not the public: a map of
    every operation and parameter helps an attacker more than anyone else (issue 15, item 8)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not roles_of(request.user) & STAFF_ROLES:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="xiachen API",
    version="1",
    description="下沉干部常态化机制 — 单位、干部、住户",
    auth=[token_auth, django_auth],
    urls_namespace="api",
    docs_decorator=staff_only,
)
api.add_router("/units/", org_router)
api.add_router("/cadres/", cadres_router)
api.add_router("/households/", households_router)
api.add_router("/passes/", passes_router)
api.add_router("/hotline/", hotline_router)
api.add_router("/errands/", errands_router)
api.add_router("/demands/", demands_router)
api.add_router("/notices/", notices_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    """A JSON 403 (not the HTML page) when a service refuses the caller's role or scope."""
    return api.create_response(request, {"detail": "permission denied"}, status=403)
