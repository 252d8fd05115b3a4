from django.urls import path

from .views import outputs

urlpatterns = [
    path("rounds/<uuid:round_id>/agencies/<uuid:agency_id>.xlsx", outputs.plan_agency_xlsx, name="plan_agency_xlsx"),
    path("rounds/<uuid:round_id>/units/<uuid:unit_id>.xlsx", outputs.plan_unit_xlsx, name="plan_unit_xlsx"),
    path("notices/<uuid:match_id>.pdf", outputs.notice_pdf, name="notice_pdf"),
]
