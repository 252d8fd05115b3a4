from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.i18n import set_language

from .api import api


def api_urls():
    """The API answers 401 itself (session auth); the login redirect is for HTML pages only."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace


handler500 = "xiachen.core.errors.server_error"

urlpatterns = [
    path("", include("xiachen.accounts.urls")),
    path("identity/", include("xiachen.identity.urls")),
    path("units/", include("xiachen.org.urls")),
    path("cadres/", include("xiachen.cadres.urls")),
    path("households/", include("xiachen.households.urls")),
    path("audit/", include("xiachen.audit.urls")),
    path("deployments/", include("xiachen.deployments.urls")),
    path("notices/", include("xiachen.notices.urls")),
    path("downloads/", include("xiachen.downloads.urls")),
    path("rosters/", include("xiachen.rosters.urls")),
    path("errands/", include("xiachen.errands.urls")),
    path("hotline/", include("xiachen.hotline.urls")),
    path("r/", include("xiachen.resident.urls")),
    path("passes/", include("xiachen.passes.urls")),
    path("gate/", include("xiachen.gate.urls")),
    path("field/", include("xiachen.field.urls")),
    path("assessments/", include("xiachen.assessments.urls")),
    path("policies/", include("xiachen.policies.urls")),
    path("surveys/", include("xiachen.surveys.urls")),
    path("dashboards/", include("xiachen.dashboards.urls")),
    path("volunteers/", include("xiachen.volunteers.urls")),
    path("maps/", include("xiachen.maps.urls")),
    path("ops/", include("xiachen.ops.urls")),
    path("integrations/", include("xiachen.interop.urls")),
    path("open311/v2/", include("xiachen.interop.open311_urls")),
    path("pick/", include("xiachen.core.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("api/", api_urls()),
    # Browsers ask for /favicon.ico on pages that name no icon (PDF viewers, the resident site's error pages).
    # The static URL is looked up per request, not at import: the manifest of a production build is
    # read then (and `check` runs before collectstatic).
    path("favicon.ico", login_not_required(lambda request: redirect(static("favicon.ico"), permanent=True)),
         name="favicon"),
]
