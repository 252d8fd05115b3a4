from django.urls import path

from .views import attendance, cadre, care, rosters

app_name = "rosters"
urlpatterns = [
    path("", rosters.index, name="index"),
    path("posts/<uuid:public_id>/", rosters.post_detail, name="post"),
    path("posts/<uuid:public_id>/shifts/", rosters.shift_add, name="shift_add"),
    path("posts/<uuid:public_id>/rosters/", rosters.roster_new, name="roster_new"),
    path("posts/<uuid:public_id>/gear/", care.gear, name="gear"),
    path("posts/<uuid:public_id>/site/", rosters.site_set, name="site"),
    path("rounds/<uuid:public_id>/rules/", rosters.rules, name="rules"),
    path("<uuid:public_id>/", rosters.roster_detail, name="roster"),
    path("<uuid:public_id>/generate/", rosters.roster_generate, name="generate"),
    path("<uuid:public_id>/progress/", rosters.roster_progress, name="progress"),
    path("<uuid:public_id>/move/", rosters.roster_move, name="move"),
    path("<uuid:public_id>/cell/", rosters.cell, name="cell"),
    path("<uuid:public_id>/cover/", rosters.cover_set, name="cover"),
    path("<uuid:public_id>/unavailable/", rosters.unavailable_add, name="unavailable"),
    path("<uuid:public_id>/wishes/", rosters.wish_add, name="wish"),
    path("<uuid:public_id>/attendance/", attendance.sheet, name="attendance"),
    path("<uuid:public_id>/allowances.xlsx", attendance.allowances_xlsx, name="allowances"),
    path("<uuid:public_id>/swap/", cadre.swap_new, name="swap_new"),
    path("<uuid:public_id>/unwell/", cadre.unwell, name="unwell"),
    path("shifts/<uuid:public_id>/confirm/", attendance.confirm, name="confirm"),
    path("scan/<str:token>/", attendance.scan, name="scan"),
    path("mine/", cadre.mine, name="mine"),
    path("swaps/", cadre.swaps, name="swaps"),
    path("swaps/<uuid:public_id>/decide/", cadre.swap_decide, name="swap_decide"),
    path("care/", care.alerts, name="alerts"),
    path("care/replacements/<uuid:public_id>/resolve/", care.replacement_resolve, name="replacement_resolve"),
    path("calendar/<str:token>.ics", cadre.ical, name="ical"),
    path("mine/calendar/reset/", cadre.reset_calendar_feed, name="ical_reset"),
]
