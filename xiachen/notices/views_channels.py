"""Pages of the message channels: the user's own channel settings, and the system administrator's
list of messages that could not be delivered (dead letters) with retry and discard."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.http import AuthenticatedHttpRequest
from xiachen.core.views import paginate
from xiachen.resident.access import resident_only

from .forms import ChannelPreferenceForm
from .models import ChannelPreference
from .preferences import FIELD_OF, channels_for, offered_channels, save_preferences
from .selectors import UNDELIVERED, undelivered_messages
from .services import discard_message, retry_message


@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff choose their channels here; residents receive SMS only and have no such page."""
    if resident_only(request.user):
        raise PermissionDenied("staff page")
    preference = ChannelPreference.objects.filter(user=request.user).first()
    offered = offered_channels()
    initial = {
        "channels": channels_for(request.user, preference),
        "quiet_start": getattr(preference, "quiet_start", None),
        "quiet_end": getattr(preference, "quiet_end", None),
    }
    data = request.POST if request.method == "POST" else None  # an empty POST is "no channel": still bound
    form = ChannelPreferenceForm(data, initial=initial, offered=offered)
    if request.method == "POST" and form.is_valid():
        save_preferences(user=request.user, channels=form.cleaned_data["channels"],
                         quiet_start=form.cleaned_data["quiet_start"], quiet_end=form.cleaned_data["quiet_end"])
        messages.success(request, _("消息接收设置已保存"))
        return redirect("notices:preferences")
    return render(request, "notices/preferences.html", {"form": form, "offered": offered, "fields": FIELD_OF})


def _status(value: str | None) -> str:
    return value if value in UNDELIVERED else "dead"


@require_GET
def dead_letters(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = _status(request.GET.get("status"))
    page = paginate(request, undelivered_messages(request.user, status=status))
    return render(request, "notices/dead_letters.html", {
        "page": page, "status": status, "statuses": UNDELIVERED, "querystring": f"status={status}",
    })


@require_POST
def dead_letter_retry(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    status = _status(request.POST.get("status"))
    message = get_object_or_404(undelivered_messages(request.user, status=status), public_id=public_id)
    retry_message(message=message, by=request.user)
    messages.success(request, _("已重新排队发送"))
    return redirect(f"{reverse('notices:dead_letters')}?status={status}")


@require_POST
def dead_letter_discard(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    message = get_object_or_404(undelivered_messages(request.user, status="dead"), public_id=public_id)
    discard_message(message=message, by=request.user)
    messages.success(request, _("已放弃发送"))
    return redirect("notices:dead_letters")
