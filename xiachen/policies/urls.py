from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.documents, name="documents"),
    path("new/", views.document_new, name="document_new"),
    path("<uuid:public_id>/", views.document_detail, name="document_detail"),
    path("<uuid:public_id>/versions/new/", views.version_new, name="version_new"),
    path("versions/<uuid:public_id>/", views.version_detail, name="version_detail"),
    path("versions/<uuid:public_id>/feedback/", views.feedback_new, name="feedback_new"),
    path("attachments/<uuid:public_id>/", views.attachment, name="attachment"),
    path("feedback/mine/", views.my_feedback, name="my_feedback"),
    path("feedback/inbox/", views.inbox, name="inbox"),
    path("feedback/<uuid:public_id>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<uuid:public_id>/answer/", views.feedback_answer, name="feedback_answer"),
    path("photos/<uuid:public_id>/", views.feedback_photo, name="feedback_photo"),
    path("ledger/", views.ledger, name="ledger"),
    path("holidays/", views.holidays, name="holidays"),
    path("holidays/<str:day>/delete/", views.holiday_delete, name="holiday_delete"),
]
