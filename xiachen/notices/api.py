"""Community notices for integrations: publish to the residents of compounds (no attachments)."""

from datetime import datetime
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from xiachen.interop import idempotency
from xiachen.interop.auth import json_write_auth
from xiachen.interop.enums import Scope
from xiachen.interop.idempotency import IdempotencyKey
from xiachen.interop.schemas import write_responses
from xiachen.interop.tokens import require_scope
from xiachen.org.selectors import units_visible_to

from .community import publish_notice

router = Router(tags=["notices"])


class NoticeIn(Schema):
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=5000)
    compounds: list[UUID] = Field(min_length=1, max_length=200, description="小区（public_id），须属同一社区")
    buildings: list[str] = Field(default_factory=list, max_length=200, description="只发给这些楼栋（空：全部）")
    to_staff: bool = True


class NoticeOut(Schema):
    public_id: UUID
    community: UUID
    title: str
    created_at: datetime

    @staticmethod
    def resolve_community(notice) -> UUID:
        return notice.community.public_id


@router.post("", response=write_responses(NoticeOut), auth=json_write_auth)
def post_notice(request, payload: NoticeIn, idempotency_key: IdempotencyKey):
    """Publish a notice to the residents of compounds of one community (token scope `notices`)."""

    def action():
        require_scope(request.user, Scope.NOTICES)
        visible = units_visible_to(request.user)
        compounds = [get_object_or_404(visible, public_id=public_id) for public_id in dict.fromkeys(payload.compounds)]
        notice = publish_notice(by=request.user, title=payload.title, body=payload.body, compounds=compounds,
                                buildings=[b[:20] for b in payload.buildings], to_staff=payload.to_staff)
        return 201, NoticeOut.from_orm(notice).model_dump(mode="json")

    return idempotency.run(request, key=idempotency_key, operation="notices.post", payload=payload, action=action)
