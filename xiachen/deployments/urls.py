from django.urls import include, path

from .views import coordination, rounds

app_name = "deployments"
urlpatterns = [
    path("demands/", include("xiachen.deployments.urls_demands")),
    path("outputs/", include("xiachen.deployments.urls_outputs")),
    path("rounds/", rounds.rounds, name="rounds"),
    path("rounds/new/", rounds.round_new, name="round_new"),
    path("rounds/<uuid:public_id>/", rounds.round_detail, name="round_detail"),
    path("rounds/<uuid:public_id>/scope/", rounds.round_scope, name="round_scope"),
    path("rounds/<uuid:public_id>/run/", rounds.round_run, name="round_run"),
    path("rounds/<uuid:public_id>/progress/", rounds.round_progress, name="round_progress"),
    path("rounds/<uuid:public_id>/check/", rounds.round_check, name="round_check"),
    path("rounds/<uuid:public_id>/assign/", rounds.round_assign, name="round_assign"),
    path("rounds/<uuid:public_id>/publish/", rounds.round_publish, name="round_publish"),
    path("rounds/<uuid:public_id>/close/", rounds.round_close, name="round_close"),
    path("matches/<uuid:public_id>/remove/", rounds.match_remove, name="match_remove"),
    path("matches/<uuid:public_id>/replace/", rounds.match_replace, name="match_replace"),
    path("matches/<uuid:public_id>/decide/", coordination.match_decide, name="match_decide"),
    path("matches/<uuid:public_id>/other-posts/", coordination.match_other_posts, name="match_other_posts"),
    path("matches/<uuid:public_id>/arrive/", coordination.match_arrive, name="match_arrive"),
    path("nominations/", coordination.nominations, name="nominations"),
    path("units/<uuid:public_id>/checkin-code/", coordination.checkin_code, name="checkin_code"),
    path("checkin/<str:token>/", coordination.checkin, name="checkin"),
    path("mine/", coordination.my_assignments, name="mine"),
]
