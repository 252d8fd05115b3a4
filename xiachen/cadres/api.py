from uuid import UUID

from ninja import Router
from ninja.pagination import paginate

from .schemas import CadreOut
from .selectors import access_cadre, search_cadres

router = Router(tags=["cadres"])


@router.get("", response=list[CadreOut])
@paginate
def list_cadres(request, q: str = "", specialty: str = "", rank: int | None = None):
    return search_cadres(request.user, query=q, specialty=specialty, rank=rank)


@router.get("/{public_id}", response=CadreOut)
def get_cadre(request, public_id: UUID):
    return access_cadre(request.user, public_id)
