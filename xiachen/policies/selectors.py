"""Reads of the policy feedback loop. Documents, versions and the ledger of feedback are open to all
staff (the public ledger is the cure for 层层甩锅); authors' names and photos only to the author, the
owning agency's liaisons and the organization department."""

from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xiachen.accounts.permissions import has_permission, require_permission, scope_paths
from xiachen.org.models import Unit, path_within

from .enums import ANSWERED_STATUSES, FeedbackStatus
from .models import FeedbackItem, FeedbackPhoto, PolicyDocument, PolicyVersion, VersionAttachment


def documents_visible_to(user) -> QuerySet[PolicyDocument]:
    require_permission(user, "policies.view")
    return PolicyDocument.objects.select_related("issuing_agency")


def document_list(user) -> QuerySet[PolicyDocument]:
    return documents_visible_to(user).annotate(version_count=Count("versions")).order_by("agency_path", "-created_at")


def access_document(user, public_id: UUID) -> PolicyDocument:
    return get_object_or_404(documents_visible_to(user), public_id=public_id)


def access_version(user, public_id: UUID) -> PolicyVersion:
    require_permission(user, "policies.view")
    versions = PolicyVersion.objects.select_related("document__issuing_agency")
    return get_object_or_404(versions, public_id=public_id)


def access_attachment(user, public_id: UUID) -> VersionAttachment:
    require_permission(user, "policies.view")
    return get_object_or_404(VersionAttachment, public_id=public_id)


def feedback_visible_to(user) -> QuerySet[FeedbackItem]:
    require_permission(user, "policies.view")
    return FeedbackItem.objects.select_related("version__document", "owner_agency")


def access_feedback(user, public_id: UUID) -> FeedbackItem:
    return get_object_or_404(feedback_visible_to(user), public_id=public_id)


def sees_author(user, item: FeedbackItem) -> bool:
    """The author's name and the photos: the author, the owning agency's liaisons, the organization department."""
    return (
        item.author_id == user.pk
        or has_permission(user, "policies.answer_feedback", item.owner_agency)
        or has_permission(user, "policies.oversee")
    )


def access_photo(user, public_id: UUID) -> FeedbackPhoto:
    photo = get_object_or_404(FeedbackPhoto.objects.select_related("item__owner_agency"), public_id=public_id)
    if not sees_author(user, photo.item):
        raise_404()
    return photo


def raise_404():
    from django.http import Http404

    raise Http404


def my_feedback(user) -> QuerySet[FeedbackItem]:
    return feedback_visible_to(user).filter(author=user).order_by("-created_at", "-id")


def feedback_to_answer(user) -> QuerySet[FeedbackItem]:
    """Items owned by the liaison's agencies, open ones first by deadline."""
    paths = scope_paths(user, "policies.answer_feedback")
    require_permission(user, "policies.answer_feedback")
    return feedback_visible_to(user).filter(path_within(paths, field="owner_path")).order_by("answered_at", "due_date",
                                                                                            "id")


def citable_feedback(document: PolicyDocument) -> QuerySet[FeedbackItem]:
    return FeedbackItem.objects.filter(version__document=document).select_related("version").order_by("-created_at")


def ledger_counts(user, *, today=None) -> list[dict]:
    """Per owning agency: open, answered and overdue items (overdue items are also counted as open)."""
    require_permission(user, "policies.view")
    today = today or timezone.localdate()
    open_ = Q(status=FeedbackStatus.OPEN)
    return list(
        FeedbackItem.objects.values("owner_agency__public_id", "owner_agency__name", "owner_path")
        .annotate(
            open=Count("pk", filter=open_),
            answered=Count("pk", filter=Q(status__in=ANSWERED_STATUSES)),
            overdue=Count("pk", filter=open_ & Q(due_date__lt=today)),
        )
        .order_by("owner_path")
    )


def ledger_items(user, *, agency: str = "", state: str = "", today=None) -> QuerySet[FeedbackItem]:
    """The public list: filter by agency (public id) and state (open / answered / overdue)."""
    today = today or timezone.localdate()
    items = feedback_visible_to(user).order_by("-created_at", "-id")
    if agency:
        items = items.filter(owner_agency__public_id=_uuid(agency))
    if state == "open":
        items = items.filter(status=FeedbackStatus.OPEN)
    elif state == "answered":
        items = items.filter(status__in=ANSWERED_STATUSES)
    elif state == "overdue":
        items = items.filter(status=FeedbackStatus.OPEN, due_date__lt=today)
    return items


def _uuid(value: str):
    try:
        return UUID(value)
    except ValueError:
        return None


def agencies_for(user) -> QuerySet[Unit]:
    """Agencies the user may issue documents for."""
    return Unit.objects.filter(
        path_within(scope_paths(user, "policies.manage_documents")), kind__code="agency"
    ).order_by("path")
