from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("export.xlsx", views.event_export, name="export"),
    path("verify/", views.chain_verify, name="verify"),
    path("checks/<uuid:public_id>/", views.chain_check, name="check"),
]
