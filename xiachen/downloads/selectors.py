"""Reads of background exports: a user sees only the exports they asked for."""

from uuid import UUID

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import DownloadJob
from .services import reclaim_if_stale


def downloads_of(user) -> QuerySet[DownloadJob]:
    """The user's own exports, newest first, without the file and filters (large, encrypted)."""
    return DownloadJob.objects.filter(requested_by=user).defer("content", "params").order_by("-created_at", "-id")


def access_download(user, public_id: UUID, *, with_content: bool = False) -> DownloadJob:
    """The user's own export (404 for anyone else's); a job whose worker died is shown as failed."""
    jobs = DownloadJob.objects.filter(requested_by=user)
    if not with_content:
        jobs = jobs.defer("content")
    return reclaim_if_stale(get_object_or_404(jobs, public_id=public_id))
