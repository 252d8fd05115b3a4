from uuid import UUID

from ninja import Router
from ninja.pagination import paginate

from .schemas import UnitOut
from .selectors import access_unit, search_units, subtree

router = Router(tags=["units"])


@router.get("", response=list[UnitOut])
@paginate
def list_units(request, q: str = "", kind: str = ""):
    return search_units(request.user, query=q, kind=kind)


@router.get("/{public_id}", response=UnitOut)
def get_unit(request, public_id: UUID):
    return access_unit(request.user, public_id)


@router.get("/{public_id}/subtree", response=list[UnitOut])
@paginate
def get_subtree(request, public_id: UUID):
    return subtree(access_unit(request.user, public_id)).select_related("kind")
