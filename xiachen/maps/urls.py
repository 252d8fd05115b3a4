from django.urls import path

from . import views

app_name = "maps"
urlpatterns = [
    path("boundaries/", views.boundaries, name="boundaries"),
]
