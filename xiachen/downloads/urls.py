from django.urls import path

from . import views

app_name = "downloads"
urlpatterns = [
    path("", views.download_list, name="list"),
    path("new/<slug:kind>/", views.download_new, name="new"),
    path("<uuid:public_id>/", views.download_detail, name="detail"),
    path("<uuid:public_id>/progress/", views.download_progress, name="progress"),
    path("<uuid:public_id>/file/", views.download_file, name="file"),
]
