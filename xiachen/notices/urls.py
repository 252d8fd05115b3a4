from django.urls import path

from . import views, views_community

app_name = "notices"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:public_id>/read/", views.read, name="read"),
    path("unread/", views.unread_badge, name="unread_badge"),
    path("community/", views_community.notice_list, name="community"),
    path("community/new/", views_community.notice_new, name="community_new"),
    path("community/<uuid:public_id>/", views_community.notice_detail, name="community_detail"),
    path("community/attachments/<uuid:public_id>/", views_community.attachment, name="attachment"),
]
