from django.urls import path

from . import views, views_field

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
    path("field/", views_field.field_list, name="field"),
    path("<uuid:public_id>/visit/", views_field.visit_form, name="visit_form"),
    path("<uuid:public_id>/register.json", views_field.register, name="register"),
    path("<uuid:public_id>/sw.js", views_field.service_worker, name="service_worker"),
    path("<uuid:public_id>/visits/", views_field.visit_submit, name="visit_submit"),
    path("<uuid:public_id>/coverage/", views_field.coverage, name="coverage"),
    path("<uuid:public_id>/visits.xlsx", views_field.visits_export, name="visits_export"),
    path("visits/<uuid:public_id>/", views_field.visit_detail, name="visit_detail"),
    path("photos/<uuid:public_id>/", views_field.photo, name="photo"),
]
