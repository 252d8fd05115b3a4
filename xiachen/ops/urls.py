from django.urls import path

from . import views

app_name = "ops"
urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/template.xlsx", views.calendar_template, name="calendar_template"),
    path("jobs/<uuid:public_id>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<uuid:public_id>/retry/", views.job_retry, name="job_retry"),
]
