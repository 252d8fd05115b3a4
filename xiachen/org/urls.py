from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("import/", views.unit_import, name="import"),
    path("import/template.xlsx", views.unit_import_template, name="import_template"),
    path("<uuid:public_id>/", views.unit_detail, name="detail"),
]
