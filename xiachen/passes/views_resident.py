"""Resident site: file a correction request about a revocation of one's pass or a scan of one's household."""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xiachen.resident.access import ResidentRequest, resident_page

from . import services
from .enums import CorrectionSubject
from .models import Scan


@resident_page
@require_http_methods(["GET", "POST"])
def correction_new(request: ResidentRequest) -> HttpResponse:
    resident = request.resident
    revoked = list(resident.passes.filter(revoked_at__isnull=False).order_by("-revoked_at")[:20])
    scans = list(
        Scan.objects.filter(
            household_public_id=resident.household.public_id, scanned_at__gte=timezone.now() - timedelta(days=28)
        )
        .select_related("gate")
        .order_by("-scanned_at")[:50]
    )
    error = ""
    if request.method == "POST":
        choice = request.POST.get("subject_ref", "")
        kind, _sep, ref = choice.partition(":")
        pass_ref = next((p for p in revoked if str(p.public_id) == ref), None)
        scan = next((s for s in scans if str(s.client_uuid) == ref), None)
        subject = CorrectionSubject.REVOCATION if kind == "pass" else CorrectionSubject.SCAN if kind == "scan" else ""
        try:
            services.file_correction(
                by=request.user,
                resident=resident,
                subject=subject,
                message=request.POST.get("message", ""),
                pass_ref=pass_ref,
                scan=scan,
            )
        except services.PassError as refusal:
            error = str(refusal)
        else:
            messages.success(request, _("更正申请已提交，社区将尽快答复"))
            return redirect("resident:pass_correction")
    return render(
        request,
        "passes/resident_correction.html",
        {
            "revoked": revoked,
            "scans": scans,
            "error": error,
            "mine": resident.pass_corrections.order_by("-created_at")[:20],
        },
    )
