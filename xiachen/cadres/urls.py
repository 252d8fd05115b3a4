from django.urls import path

from . import views

app_name = "cadres"
urlpatterns = [
    path("", views.cadre_list, name="list"),
    path("import/", views.cadre_import, name="import"),
    path("import/template.xlsx", views.cadre_import_template, name="import_template"),
    path("export.xlsx", views.cadre_export, name="export"),
    path("<uuid:public_id>/", views.cadre_detail, name="detail"),
    path("<uuid:public_id>/reveal/<str:field>/", views.cadre_reveal, name="reveal"),
]
