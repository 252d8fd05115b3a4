from django.urls import path

from . import views, views_channels, views_community

app_name = "notices"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:public_id>/read/", views.read, name="read"),
    path("unread/", views.unread_badge, name="unread_badge"),
    path("settings/", views_channels.preferences, name="preferences"),
    path("undelivered/", views_channels.dead_letters, name="dead_letters"),
    path("undelivered/<uuid:public_id>/retry/", views_channels.dead_letter_retry, name="dead_letter_retry"),
    path("undelivered/<uuid:public_id>/discard/", views_channels.dead_letter_discard, name="dead_letter_discard"),
    path("community/", views_community.notice_list, name="community"),
    path("community/new/", views_community.notice_new, name="community_new"),
    path("community/<uuid:public_id>/", views_community.notice_detail, name="community_detail"),
    path("community/attachments/<uuid:public_id>/", views_community.attachment, name="attachment"),
]
