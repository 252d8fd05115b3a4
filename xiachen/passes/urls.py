from django.urls import path

from . import views, views_tracing

app_name = "passes"
urlpatterns = [
    path("", views.pass_list, name="list"),
    path("new/", views.pass_issue, name="issue"),
    path("mine/", views.my_passes, name="mine"),
    path("revoke/", views.pass_revoke, name="revoke"),
    path("revocations/", views.revocations, name="revocations"),
    path("revocations/<uuid:public_id>/decide/", views.revocation_decide, name="revocation_decide"),
    path("policies/", views.policies, name="policies"),
    path("policies/new/", views.policy_new, name="policy_new"),
    path("policies/<uuid:public_id>/", views.policy_detail, name="policy_detail"),
    path("policies/<uuid:public_id>/acknowledge/", views.policy_acknowledge, name="policy_acknowledge"),
    path("keys/", views.keys, name="keys"),
    path("keys/rotate/", views.key_rotate, name="key_rotate"),
    path("keys/<str:key_id>/revoke/", views.key_revoke, name="key_revoke"),
    path("scans/", views.scans, name="scans"),
    path("disagreements/", views.disagreements, name="disagreements"),
    path("fever/", views.fever_alerts, name="fever"),
    path("disagreements/<uuid:public_id>/resolve/", views.disagreement_resolve, name="disagreement_resolve"),
    path("fever/<uuid:public_id>/close/", views.fever_close, name="fever_close"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/<uuid:public_id>/answer/", views.correction_answer, name="correction_answer"),
    path("checkpoint/", views.checkpoint_search, name="checkpoint_search"),
    path("checkpoint/<uuid:public_id>/reveal/<str:field>/", views.checkpoint_reveal, name="checkpoint_reveal"),
    path("tracing/", views_tracing.tracing_page, name="tracing"),
    path("tracing/export/", views_tracing.tracing_export, name="tracing_export"),
    path("households/<uuid:public_id>/outing-member/", views.outing_member, name="outing_member"),
    path("<uuid:public_id>/", views.pass_detail, name="detail"),
    path("<uuid:public_id>/card.pdf", views.pass_card, name="card"),
]
