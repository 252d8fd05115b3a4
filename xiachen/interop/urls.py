from django.urls import path

from . import views

app_name = "interop"
urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/new/", views.token_new, name="token_new"),
    path("tokens/<uuid:public_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("webhooks/", views.endpoint_list, name="webhooks"),
    path("webhooks/new/", views.endpoint_new, name="webhook_new"),
    path("webhooks/<uuid:public_id>/", views.endpoint_detail, name="webhook_detail"),
    path("webhooks/<uuid:public_id>/active/", views.endpoint_active, name="webhook_active"),
    path("webhooks/<uuid:public_id>/test/", views.endpoint_test, name="webhook_test"),
    path("tickets/<uuid:public_id>/forward/", views.ticket_forward, name="ticket_forward"),
    path("deliveries/<uuid:public_id>/replay/", views.delivery_replay, name="delivery_replay"),
]
