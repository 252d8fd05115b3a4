from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_new, name="new"),
    path("<uuid:public_id>/", views.survey_detail, name="detail"),
    path("<uuid:public_id>/questions/", views.question_add, name="question_add"),
    path("questions/<uuid:public_id>/delete/", views.question_delete, name="question_delete"),
    path("<uuid:public_id>/open/", views.survey_open, name="open"),
    path("<uuid:public_id>/close/", views.survey_close, name="close"),
    path("<uuid:public_id>/results/", views.results, name="results"),
    path("<uuid:public_id>/results.json", views.results_data, name="results_data"),
    path("<uuid:public_id>/export.xlsx", views.export, name="export"),
]
