"""The community manager's operations page (运行情况): today's quarantined households, overdue
visits, open errands by state, open fever alerts from the gates, survey response rates."""

from django.apps import apps
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from xiachen.accounts.permissions import require_permission, scope_paths
from xiachen.org.models import path_within
from xiachen.surveys.models import Survey, SurveyStatus
from xiachen.surveys.services import response_rates

from .. import quarantine
from ..enums import EpisodeStatus, ErrandStatus
from ..models import Errand, QuarantineEpisode

PERMISSION = "errands.dispatch"


def _fever_alerts(paths):
    """Open fever alerts of the manager's gates, or None while passes has no fever-alert model."""
    try:
        model = apps.get_model("passes", "FeverAlert")
    except LookupError:
        return None
    return model.objects.filter(path_within(paths, field="gate_path"), status="open").select_related(
        "scan__gate"
    ).order_by("-created_at")[:50]


@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, PERMISSION)
    paths = scope_paths(request.user, PERMISSION)
    today = timezone.localdate()
    episodes = (
        QuarantineEpisode.objects.filter(
            path_within(paths, field="compound_path"), status=EpisodeStatus.ACTIVE, start__lte=today,
        )
        .select_related("resident", "household", "household__compound")
        .order_by("compound_path", "household__building", "household__entrance", "household__room", "id")
    )
    households: dict[int | None, dict] = {}
    for episode in episodes[:500]:
        households.setdefault(episode.household_id, {"household": episode.household, "episodes": []})[
            "episodes"].append(episode)
    counts = dict(
        Errand.objects.filter(path_within(paths, field="compound_path"))
        .exclude(status__in=[ErrandStatus.CONFIRMED, ErrandStatus.CLOSED, ErrandStatus.CANCELLED])
        .values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    errand_states = [{"status": value, "label": label, "count": counts.get(value, 0)}
                     for value, label in ErrandStatus.choices if value in counts or value in (
                         ErrandStatus.REQUESTED, ErrandStatus.ACCEPTED, ErrandStatus.IN_PROGRESS,
                         ErrandStatus.DELIVERED)]
    surveys = list(
        Survey.objects.filter(path_within(paths, field="community_path"), status=SurveyStatus.OPEN)
        .prefetch_related("compounds").order_by("-created_at")[:20]
    )
    rates = response_rates(surveys)
    return render(request, "errands/operations.html", {
        "today": today,
        "households": list(households.values()),
        "overdue": quarantine.overdue_visits(request.user, today=today)[:100],
        "errand_states": errand_states,
        "fever_alerts": _fever_alerts(paths),
        "surveys": [{"survey": survey, "rate": rates[survey.pk]} for survey in surveys],
    })
