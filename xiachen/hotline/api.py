"""Hotline tickets for integrations: file, read, list (Open311 is the standard face: xiachen.interop.open311)."""

from datetime import datetime
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from xiachen.core.masking import mask_name, mask_phone
from xiachen.interop import idempotency
from xiachen.interop.auth import json_write_auth
from xiachen.interop.enums import Scope
from xiachen.interop.idempotency import IdempotencyKey
from xiachen.interop.schemas import write_responses
from xiachen.interop.tokens import require_scope
from xiachen.org.selectors import access_unit

from .enums import Source, TicketStatus, Urgency
from .models import Category
from .selectors import access_ticket, search_tickets
from .services import TicketError, create_ticket

router = Router(tags=["hotline"])


class TicketIn(Schema):
    caller_name: str = Field(min_length=1, max_length=60)
    caller_phone: str = Field(max_length=20, description="11 位手机号或带区号的固定电话")
    place: UUID = Field(description="所在小区/社区的单位编号（public_id）")
    category: str = Field(max_length=40, description="诉求分类代码")
    urgency: Urgency = Urgency.NORMAL
    description: str = Field(min_length=1, max_length=2000)
    address: str = Field("", max_length=200)


class TicketOut(Schema):
    public_id: UUID
    number: str | None
    status: TicketStatus
    source: str
    category: str
    urgency: str
    place: UUID
    owner: UUID | None
    caller_name: str
    caller_phone: str
    received_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    satisfaction: str

    @staticmethod
    def resolve_category(ticket) -> str:
        return ticket.category.code

    @staticmethod
    def resolve_place(ticket) -> UUID:
        return ticket.place.public_id

    @staticmethod
    def resolve_owner(ticket) -> UUID | None:
        return ticket.owner.public_id if ticket.owner_id else None

    @staticmethod
    def resolve_caller_name(ticket) -> str:
        return mask_name(ticket.caller_name)

    @staticmethod
    def resolve_caller_phone(ticket) -> str:
        return mask_phone(ticket.caller_phone)


@router.get("/tickets", response=list[TicketOut])
@paginate
def list_tickets(request, status: TicketStatus | None = None, category: str = Query("", max_length=40)):
    return search_tickets(request.user, status=status or "", category=category).select_related("category", "place",
                                                                                               "owner")


@router.get("/tickets/{public_id}", response=TicketOut)
def get_ticket(request, public_id: UUID):
    return access_ticket(request.user, public_id)


@router.post("/tickets", response=write_responses(TicketOut), auth=json_write_auth)
def file_ticket(request, payload: TicketIn, idempotency_key: IdempotencyKey):
    """Log a call as a ticket (hotline operators; a token needs the `hotline` scope). Dispatched at once
    when a routing rule names the responsible unit."""

    def action():
        require_scope(request.user, Scope.HOTLINE)
        place = access_unit(request.user, payload.place)
        category = Category.objects.filter(code=payload.category).first()
        if category is None:
            raise TicketError(_("诉求分类代码不存在"))
        ticket = create_ticket(by=request.user, caller_name=payload.caller_name, caller_phone=payload.caller_phone,
                               place=place, category=category, urgency=payload.urgency,
                               description=payload.description, address=payload.address, source=Source.API)
        return 201, TicketOut.from_orm(ticket).model_dump(mode="json")

    return idempotency.run(request, key=idempotency_key, operation="hotline.file_ticket", payload=payload,
                           action=action)
