from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from .api import api

urlpatterns = [
    path("", include("xiachen.accounts.urls")),
    path("units/", include("xiachen.org.urls")),
    path("cadres/", include("xiachen.cadres.urls")),
    path("households/", include("xiachen.households.urls")),
    path("audit/", include("xiachen.audit.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("api/", api.urls),
]
