from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views

app_name = "gate"
urlpatterns = [
    path("", views.index, name="index"),
    path("sw.js", login_not_required(views.service_worker), name="service_worker"),
    path("<uuid:public_id>/", views.gate_page, name="page"),
]
