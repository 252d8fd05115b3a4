from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.city, name="city"),
    path("<slug:chart>.xlsx", views.city_xlsx, name="city_xlsx"),
    path("district/<uuid:public_id>/", views.district, name="district"),
    path("district/<uuid:public_id>/<slug:chart>.xlsx", views.district_xlsx, name="district_xlsx"),
    path("community/<uuid:public_id>/", views.community, name="community"),
    path("community/<uuid:public_id>/<slug:chart>.xlsx", views.community_xlsx, name="community_xlsx"),
    path("agency/<uuid:public_id>/", views.agency, name="agency"),
    path("map/<uuid:public_id>.json", views.region_map, name="map"),
    path("agency/<uuid:public_id>/<slug:chart>.xlsx", views.agency_xlsx, name="agency_xlsx"),
]
