from django.contrib.auth import views as auth_views
from django.urls import path

from . import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("password/", admin_views.password_change, name="password_change"),
    path("users/", admin_views.users, name="users"),
    path("users/new/", admin_views.user_new, name="user_new"),
    path("users/import/", admin_views.staff_import, name="user_import"),
    path("users/import/template.xlsx", admin_views.staff_import_template, name="user_import_template"),
    path("users/lockouts/", admin_views.lockouts, name="lockouts"),
    path("users/grants/", admin_views.grants, name="grants"),
    path("users/grants/<uuid:public_id>/decide/", admin_views.grant_decide, name="grant_decide"),
    path("users/units/", admin_views.unit_picker, name="unit_picker"),
    path("users/<uuid:public_id>/", admin_views.user_detail, name="user_detail"),
    path("users/<uuid:public_id>/edit/", admin_views.user_edit, name="user_edit"),
    path("users/<uuid:public_id>/active/", admin_views.user_active, name="user_active"),
    path("users/<uuid:public_id>/password/", admin_views.user_password_reset, name="user_password_reset"),
    path("users/<uuid:public_id>/totp/", admin_views.user_totp_reset, name="user_totp_reset"),
    path("users/<uuid:public_id>/unlock/", admin_views.user_unlock, name="user_unlock"),
    path("users/<uuid:public_id>/roles/", admin_views.role_assign, name="role_assign"),
    path("memberships/<uuid:public_id>/withdraw/", admin_views.membership_withdraw, name="membership_withdraw"),
    path("privacy/", views.privacy_notice, name="privacy"),
]
