from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("pairings/", views.pairings, name="pairings"),
]
