from django.urls import path

from . import views

app_name = "households"
urlpatterns = [
    path("", views.household_list, name="list"),
    path("import/", views.household_import, name="import"),
    path("import/template.xlsx", views.household_import_template, name="import_template"),
    path("export.xlsx", views.household_export, name="export"),
    path("<uuid:public_id>/", views.household_detail, name="detail"),
    path("residents/<uuid:public_id>/reveal/<str:field>/", views.resident_reveal, name="reveal"),
]
