from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<uuid:public_id>/", views.unit_detail, name="detail"),
]
