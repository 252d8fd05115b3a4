from uuid import UUID

from ninja import Router
from ninja.pagination import paginate

from xiachen.interop import idempotency
from xiachen.interop.auth import json_write_auth
from xiachen.interop.enums import Scope
from xiachen.interop.idempotency import IdempotencyKey
from xiachen.interop.schemas import write_responses
from xiachen.interop.tokens import require_scope
from xiachen.org.selectors import access_unit

from .schemas import HouseholdDetailOut, HouseholdIn, HouseholdOut, ResidentIn, ResidentOut
from .selectors import access_household, search_households
from .services import add_resident, create_household

router = Router(tags=["households"])


@router.get("", response=list[HouseholdOut])
@paginate
def list_households(request, q: str = "", vulnerability: str = ""):
    return search_households(request.user, query=q, vulnerability=vulnerability)


@router.get("/{public_id}", response=HouseholdDetailOut)
def get_household(request, public_id: UUID):
    return access_household(request.user, public_id)


@router.post("", response=write_responses(HouseholdOut), auth=json_write_auth)
def create_household_at(request, payload: HouseholdIn, idempotency_key: IdempotencyKey):
    """A household at an address (unit managers; token scope `households`)."""

    def action():
        require_scope(request.user, Scope.HOUSEHOLDS)
        compound = access_unit(request.user, payload.compound)
        household = create_household(by=request.user, compound=compound, building=payload.building,
                                     entrance=payload.entrance, room=payload.room)
        return 201, HouseholdOut.from_orm(household).model_dump(mode="json")

    return idempotency.run(request, key=idempotency_key, operation="households.create", payload=payload,
                           action=action)


@router.post("/{public_id}/residents", response=write_responses(ResidentOut), auth=json_write_auth)
def add_household_resident(request, public_id: UUID, payload: ResidentIn, idempotency_key: IdempotencyKey):
    """A resident of the household; the answer shows the ID number and phone masked."""

    def action():
        require_scope(request.user, Scope.HOUSEHOLDS)
        household = access_household(request.user, public_id)
        resident = add_resident(by=request.user, household=household, name=payload.name, relation=payload.relation,
                                id_number=payload.id_number, phone=payload.phone)
        return 201, ResidentOut.from_orm(resident).model_dump(mode="json")

    return idempotency.run(request, key=idempotency_key, operation="households.add_resident", payload=payload,
                           action=action)
