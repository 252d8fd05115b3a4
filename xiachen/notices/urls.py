from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:public_id>/read/", views.read, name="read"),
]
