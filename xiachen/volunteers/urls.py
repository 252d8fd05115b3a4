from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("pairings/", views.pairings, name="pairings"),
    path("pairings/new/", views.pairing_new, name="pairing_new"),
    path("pairings/<uuid:public_id>/", views.pairing_detail, name="pairing"),
    path("pairings/<uuid:public_id>/status/", views.pairing_move, name="pairing_move"),
    path("pairings/<uuid:public_id>/projects/", views.project_add, name="project_add"),
    path("projects/<uuid:public_id>/status/", views.project_move, name="project_move"),
    path("member-list/", views.member_list, name="member_list"),
    path("member-list/import/", views.member_list_import, name="member_list_import"),
    path("member-list/import/template.xlsx", views.member_list_template, name="member_list_template"),
    path("members/", views.members, name="members"),
    path("members/<uuid:public_id>/", views.member_detail, name="member"),
    path("members/<uuid:public_id>/review/", views.member_review, name="member_review"),
    path("members/<uuid:public_id>/redeem/", views.member_redeem, name="member_redeem"),
    path("posts/", views.posts, name="posts"),
    path("posts/new/", views.post_new, name="post_new"),
    path("posts/<uuid:public_id>/close/", views.post_close, name="post_close"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<uuid:public_id>/", views.activity_detail, name="activity"),
    path("activities/<uuid:public_id>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<uuid:public_id>/finish/", views.activity_finish, name="activity_finish"),
    path("records/", views.record_list, name="records"),
    path("records/<uuid:public_id>/review/", views.record_review, name="record_review"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/new/", views.catalog_new, name="catalog_new"),
    path("catalog/<uuid:public_id>/toggle/", views.catalog_toggle, name="catalog_toggle"),
]

# The member's pages are on the resident site (resident namespace): see xiachen/resident/urls.py.

# 应急动员, the quarterly feedback and the statistics (issue #19 items 4, 6 and 7)
from . import views_callouts, views_reports  # noqa: E402

urlpatterns += [
    path("callouts/", views_callouts.callout_list, name="callouts"),
    path("callouts/new/", views_callouts.callout_new, name="callout_new"),
    path("callouts/<uuid:public_id>/", views_callouts.callout_detail, name="callout"),
    path("callouts/<uuid:public_id>/progress/", views_callouts.callout_progress, name="callout_progress"),
    path("callouts/<uuid:public_id>/status/", views_callouts.callout_move, name="callout_move"),
    path("callouts/<uuid:public_id>/roster/", views_callouts.callout_roster, name="callout_roster"),
    path("callouts/reply/<str:token>/", views_callouts.callout_reply, name="callout_reply"),
    path("callouts/inbound/sms/", views_callouts.inbound_sms, name="callout_inbound_sms"),
    path("feedback/", views_reports.feedback, name="feedback"),
    path("feedback/<uuid:public_id>/<str:quarter>.xlsx", views_reports.feedback_xlsx, name="feedback_xlsx"),
    path("feedback/<uuid:public_id>/<str:quarter>.pdf", views_reports.feedback_pdf, name="feedback_pdf"),
    path("stats/", views_reports.stats, name="stats"),
]
