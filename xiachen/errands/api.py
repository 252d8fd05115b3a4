"""Errands for integrations: ask for one on behalf of a household, read its state."""

import uuid
from datetime import datetime
from uuid import UUID

from ninja import Field, Router, Schema

from xiachen.households.selectors import access_household
from xiachen.interop import idempotency
from xiachen.interop.auth import json_write_auth
from xiachen.interop.enums import Scope
from xiachen.interop.idempotency import IdempotencyKey
from xiachen.interop.schemas import write_responses
from xiachen.interop.tokens import require_scope

from .enums import ErrandKind, ErrandStatus
from .selectors import access_errand
from .services import request_errand

router = Router(tags=["errands"])
SUBMISSION_KEYS = uuid.UUID("6f0d8c52-3d5e-4a3b-9a53-2b8f3c0e7a11")  # uuid5 namespace: Idempotency-Key → form key


class ErrandIn(Schema):
    household: UUID
    kind: ErrandKind
    details: str = Field(min_length=1, max_length=500)


class ErrandOut(Schema):
    public_id: UUID
    household: UUID
    kind: ErrandKind
    status: ErrandStatus
    assigned: bool
    created_at: datetime
    delivered_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_household(errand) -> UUID:
        return errand.household.public_id

    @staticmethod
    def resolve_assigned(errand) -> bool:
        return errand.assignee_id is not None


@router.get("/{public_id}", response=ErrandOut)
def get_errand(request, public_id: UUID):
    return access_errand(request.user, public_id)


@router.post("", response=write_responses(ErrandOut), auth=json_write_auth)
def ask_errand(request, payload: ErrandIn, idempotency_key: IdempotencyKey):
    """Ask for an errand for a household in the caller's area (token scope `errands`); dispatched to
    the cadre or worker on duty there."""

    def action():
        require_scope(request.user, Scope.ERRANDS)
        household = access_household(request.user, payload.household)
        errand, _created = request_errand(by=request.user, household=household, kind=payload.kind,
                                          details=payload.details,
                                          submission_key=uuid.uuid5(SUBMISSION_KEYS, idempotency_key))
        return 201, ErrandOut.from_orm(errand).model_dump(mode="json")

    return idempotency.run(request, key=idempotency_key, operation="errands.ask", payload=payload, action=action)
