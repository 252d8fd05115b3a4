from django.urls import path

from . import oidc, views

app_name = "identity"
urlpatterns = [
    path("oidc/login/", oidc.OidcLoginView.as_view(), name="oidc_login"),
    path("oidc/callback/", oidc.OidcCallbackView.as_view(), name="oidc_callback"),
    path("directory/", views.directory_sync, name="directory_sync"),
]
