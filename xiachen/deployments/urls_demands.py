"""Demands and the affinity matrix; included under deployments/demands/ in the `deployments` namespace."""

from django.urls import path

from .views import demands

urlpatterns = [
    path("", demands.demand_list, name="demands"),
    path("new/", demands.demand_new, name="demand_new"),
    path("import/", demands.demand_import, name="demand_import"),
    path("import/template.xlsx", demands.demand_import_template, name="demand_import_template"),
    path("affinity/", demands.affinity, name="affinity"),
    path("affinity/<slug:agency_kind>/<slug:post_type>/", demands.affinity_set, name="affinity_set"),
    path("<uuid:public_id>/", demands.demand_detail, name="demand_detail"),
    path("<uuid:public_id>/edit/", demands.demand_edit, name="demand_edit"),
    path("<uuid:public_id>/close/", demands.demand_close, name="demand_close"),
]
