from django.urls import path

from xiachen.passes import views_resident as passes_views
from xiachen.volunteers import views_member as volunteer_views

from . import views, views_notices, views_surveys

app_name = "resident"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/code/", views.verify, name="verify"),
    path("logout/", views.sign_out, name="logout"),
    path("elder/", views.elder_mode, name="elder_mode"),
    path("errands/", views.errands, name="errands"),
    path("errands/new/", views.errand_new, name="errand_new"),
    path("errands/<uuid:public_id>/", views.errand_detail, name="errand_detail"),
    path("errands/<uuid:public_id>/confirm/", views.errand_confirm, name="errand_confirm"),
    path("errands/<uuid:public_id>/rate/", views.errand_rate, name="errand_rate"),
    path("errands/<uuid:public_id>/cancel/", views.errand_cancel, name="errand_cancel"),
    path("return/", views.return_new, name="return_new"),
    path("health/", views.health_report, name="health_report"),
    path("notices/", views_notices.notices, name="notices"),
    path("notices/<uuid:public_id>/", views_notices.notice_detail, name="notice_detail"),
    path("notices/attachments/<uuid:public_id>/", views_notices.notice_attachment, name="notice_attachment"),
    path("surveys/", views_surveys.surveys, name="surveys"),
    path("surveys/<uuid:public_id>/", views_surveys.survey_answer, name="survey_answer"),
    path("passes/correction/", passes_views.correction_new, name="pass_correction"),
    # 双报到 and volunteer service (xiachen.volunteers, ADR 1901)
    path("volunteer/", volunteer_views.home, name="volunteer"),
    path("volunteer/register/", volunteer_views.register, name="volunteer_register"),
    path("volunteer/leave/", volunteer_views.leave, name="volunteer_leave"),
    path("volunteer/activities/<uuid:public_id>/", volunteer_views.activity_detail, name="volunteer_activity"),
    path("volunteer/activities/<uuid:public_id>/sign-up/", volunteer_views.sign_up, name="volunteer_sign_up"),
    path("volunteer/activities/<uuid:public_id>/withdraw/", volunteer_views.withdraw, name="volunteer_withdraw"),
    path("volunteer/posts/<uuid:public_id>/claim/", volunteer_views.claim, name="volunteer_claim"),
    path("volunteer/claims/<uuid:public_id>/release/", volunteer_views.release, name="volunteer_release"),
    path("volunteer/scan/<str:token>/", volunteer_views.scan, name="volunteer_scan"),
]
