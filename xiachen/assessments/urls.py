from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/<uuid:public_id>/", views.round_detail, name="round_detail"),
    path("rounds/<uuid:public_id>/cadres/<uuid:cadre_id>/evaluate/", views.evaluate, name="evaluate"),
    path("rounds/<uuid:public_id>/compute/", views.compute, name="compute"),
    path("score-jobs/<uuid:public_id>/progress/", views.score_progress, name="score_progress"),
    path("rounds/<uuid:public_id>/grade/", views.grade, name="grade"),
    path("rounds/<uuid:public_id>/commendations/", views.commendation_propose, name="commendation_propose"),
    path("rounds/<uuid:public_id>/report.<str:fmt>", views.round_report, name="round_report"),
    path("rounds/<uuid:public_id>/agencies/<uuid:agency_id>/report.<str:fmt>", views.agency_report,
         name="agency_report"),
    path("rounds/<uuid:public_id>/units/<uuid:unit_id>/report.<str:fmt>", views.unit_report, name="unit_report"),
    path("reports/<uuid:public_id>/", views.report_job, name="report_job"),
    path("reports/<uuid:public_id>/progress/", views.report_progress, name="report_progress"),
    path("reports/<uuid:public_id>/download/", views.report_download, name="report_download"),
    path("schemes/", views.schemes, name="schemes"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
    path("mine/", views.mine, name="mine"),
    path("scores/<uuid:public_id>/", views.score_detail, name="score_detail"),
    path("scores/<uuid:public_id>/appeal/", views.appeal_new, name="appeal_new"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<uuid:public_id>/answer/", views.appeal_answer, name="appeal_answer"),
    path("commendations/<uuid:public_id>/", views.commendation_detail, name="commendation_detail"),
    path("commendations/<uuid:public_id>/approve/", views.commendation_approve, name="commendation_approve"),
    path("certificates/<uuid:public_id>/", views.certificate, name="certificate"),
    path("agencies/<uuid:public_id>/annual.xlsx", views.agency_export, name="agency_export"),
]
