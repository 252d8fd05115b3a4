from django.urls import path

from . import views

app_name = "ops"
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/template.xlsx", views.calendar_template, name="calendar_template"),
]
