from uuid import UUID

from ninja import Router
from ninja.pagination import paginate

from .schemas import HouseholdDetailOut, HouseholdOut
from .selectors import access_household, search_households

router = Router(tags=["households"])


@router.get("", response=list[HouseholdOut])
@paginate
def list_households(request, q: str = "", vulnerability: str = ""):
    return search_households(request.user, query=q, vulnerability=vulnerability)


@router.get("/{public_id}", response=HouseholdDetailOut)
def get_household(request, public_id: UUID):
    return access_household(request.user, public_id)
