from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("<slug:name>/", views.pick, name="pick"),
]
