from django.urls import path

from .views import care, errands, operations

app_name = "errands"
urlpatterns = [
    path("", errands.errands, name="list"),
    path("mine/", errands.mine, name="mine"),
    path("new/", errands.errand_new, name="new"),
    path("<uuid:public_id>/", errands.errand_detail, name="detail"),
    path("<uuid:public_id>/accept/", errands.accept, name="accept"),
    path("<uuid:public_id>/start/", errands.start, name="start"),
    path("<uuid:public_id>/deliver/", errands.deliver, name="deliver"),
    path("<uuid:public_id>/cancel/", errands.cancel, name="cancel"),
    path("<uuid:public_id>/assign/", errands.assign, name="assign"),
    path("episodes/", care.episodes, name="episodes"),
    path("episodes/due/", care.episodes_due, name="episodes_due"),
    path("episodes/lengths/", care.episode_lengths, name="episode_lengths"),
    path("episodes/<uuid:public_id>/", care.episode_detail, name="episode_detail"),
    path("episodes/<uuid:public_id>/extend/", care.episode_extend, name="episode_extend"),
    path("episodes/<uuid:public_id>/end/", care.episode_end, name="episode_end"),
    path("episodes/<uuid:public_id>/report/", care.episode_report, name="episode_report"),
    path("visits/", care.visits, name="visits"),
    path("visits/<uuid:public_id>/done/", care.visit_done, name="visit_done"),
    path("operations/", operations.operations, name="operations"),
    path("support/", care.support_list, name="support"),
    path("support/<uuid:public_id>/", care.support_detail, name="support_detail"),
    path("support/contacts/<uuid:public_id>/record/", care.support_record, name="support_record"),
]
