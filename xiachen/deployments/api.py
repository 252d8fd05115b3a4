"""Demands for integrations: a receiving unit's system posts what it needs."""

from datetime import date
from decimal import Decimal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from xiachen.interop import idempotency
from xiachen.interop.auth import json_write_auth
from xiachen.interop.enums import Scope
from xiachen.interop.idempotency import IdempotencyKey
from xiachen.interop.schemas import write_responses
from xiachen.interop.tokens import require_scope
from xiachen.org.selectors import access_unit

from .demand_services import DemandError, create_demand
from .models import PostType
from .selectors import access_demand

router = Router(tags=["demands"])


class DemandIn(Schema):
    unit: UUID = Field(description="接收单位（public_id）")
    post_type: str = Field(max_length=40, description="岗位代码")
    headcount: int = Field(ge=1, le=500)
    start: date
    end: date
    daily_hours: Decimal = Field(Decimal(8), ge=1, le=24, max_digits=4, decimal_places=1)
    notes: str = Field("", max_length=1000)


class DemandOut(Schema):
    public_id: UUID
    unit: UUID
    post_type: str
    headcount: int
    start: date
    end: date
    status: str

    @staticmethod
    def resolve_unit(demand) -> UUID:
        return demand.unit.public_id

    @staticmethod
    def resolve_post_type(demand) -> str:
        return demand.post_type.code


@router.get("/{public_id}", response=DemandOut)
def get_demand(request, public_id: UUID):
    return access_demand(request.user, public_id)


@router.post("", response=write_responses(DemandOut), auth=json_write_auth)
def post_demand(request, payload: DemandIn, idempotency_key: IdempotencyKey):
    """An open demand of a receiving unit (unit managers; token scope `demands`)."""

    def action():
        require_scope(request.user, Scope.DEMANDS)
        unit = access_unit(request.user, payload.unit)
        post_type = PostType.objects.filter(code=payload.post_type).first()
        if post_type is None:
            raise DemandError(_("岗位代码不存在"))
        demand = create_demand(by=request.user, unit=unit, post_type=post_type, headcount=payload.headcount,
                               start=payload.start, end=payload.end, daily_hours=payload.daily_hours,
                               notes=payload.notes)
        return 201, DemandOut.from_orm(demand).model_dump(mode="json")

    return idempotency.run(request, key=idempotency_key, operation="demands.post", payload=payload, action=action)
