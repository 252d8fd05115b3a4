"""Rates, monthly rankings of streets and communities, weekly hot topics, Excel export."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from xiachen.accounts.permissions import require_permission
from xiachen.core.exports import xlsx_response

from ..exports import export_rankings
from ..rates import hot_topics, monthly_rankings


def _month(request: HttpRequest) -> tuple[int, int]:
    """`?month=2026-03`; the current month when missing or malformed."""
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        date(year, month, 1)
    except ValueError:
        return today.year, today.month
    return year, month


def _week(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return timezone.localdate()


@require_GET
def rates(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "hotline.rates")
    year, month = _month(request)
    week = _week(request)
    return render(request, "hotline/rates.html", {
        "month": f"{year}-{month:02d}", "week": week.isoformat(),
        "rankings": monthly_rankings(request.user, year, month), "topics": hot_topics(request.user, week),
    })


@require_GET
def rates_export(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "hotline.rates")
    year, month = _month(request)
    content = export_rankings(by=request.user, year=year, month=month)
    return xlsx_response(content, f"hotline-rates-{year}-{month:02d}.xlsx")
