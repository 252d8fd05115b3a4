from django.urls import path

from .views import configure, reports, resident, tickets

app_name = "hotline"
urlpatterns = [
    path("", tickets.tickets, name="tickets"),
    path("new/", tickets.ticket_new, name="ticket_new"),
    path("tickets/<uuid:public_id>/", tickets.ticket_detail, name="ticket_detail"),
    path("tickets/<uuid:public_id>/route/", tickets.ticket_route, name="ticket_route"),
    path("tickets/<uuid:public_id>/accept/", tickets.ticket_accept, name="ticket_accept"),
    path("tickets/<uuid:public_id>/transfer/", tickets.ticket_transfer, name="ticket_transfer"),
    path("tickets/<uuid:public_id>/transfer/decide/", tickets.ticket_transfer_decide, name="ticket_transfer_decide"),
    path("tickets/<uuid:public_id>/arbitrate/", tickets.ticket_arbitrate, name="ticket_arbitrate"),
    path("tickets/<uuid:public_id>/resolve/", tickets.ticket_resolve, name="ticket_resolve"),
    path("tickets/<uuid:public_id>/callback/", tickets.ticket_callback, name="ticket_callback"),
    path("tickets/<uuid:public_id>/reopen/", tickets.ticket_reopen, name="ticket_reopen"),
    path("tickets/<uuid:public_id>/link/", tickets.ticket_link, name="ticket_link"),
    path("tickets/<uuid:public_id>/return/", tickets.ticket_return, name="ticket_return"),
    path("tickets/<uuid:public_id>/return/decide/", tickets.ticket_return_decide, name="ticket_return_decide"),
    path("tickets/<uuid:public_id>/extend/", tickets.ticket_extend, name="ticket_extend"),
    path("tickets/<uuid:public_id>/extend/decide/", tickets.ticket_extend_decide, name="ticket_extend_decide"),
    path("tickets/<uuid:public_id>/supervise/", tickets.ticket_supervise, name="ticket_supervise"),
    path("tickets/<uuid:public_id>/complaint/", tickets.ticket_complaint_review, name="ticket_complaint_review"),
    path("tickets/<uuid:public_id>/reveal/<str:field>/", tickets.ticket_reveal, name="ticket_reveal"),
    path("rates/", reports.rates, name="rates"),
    path("rates/export/", reports.rates_export, name="rates_export"),
    path("settings/", configure.settings_page, name="settings"),
    path("settings/categories/<slug:code>/", configure.category_save, name="category_save"),
    path("settings/calendar/", configure.calendar_save, name="calendar_save"),
    path("settings/holidays/", configure.holiday_add, name="holiday_add"),
    path("settings/holidays/<str:day>/delete/", configure.holiday_delete, name="holiday_delete"),
    path("settings/rules/", configure.rule_add, name="rule_add"),
    path("settings/rules/<uuid:public_id>/delete/", configure.rule_delete, name="rule_delete"),
    path("mine/new/", resident.resident_file, name="resident_file"),
    path("mine/<uuid:public_id>/", resident.resident_ticket, name="resident_ticket"),
]
