from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views

app_name = "field"
urlpatterns = [
    path("", views.app, name="app"),
    path("scan/<str:token>/", views.app, name="scan"),
    path("data.json", views.data, name="data"),
    path("sync", views.sync, name="sync"),
    path("sw.js", login_not_required(views.service_worker), name="service_worker"),
    path("manifest.webmanifest", login_not_required(views.manifest), name="manifest"),
]
