from uuid import UUID

from ninja import Schema


class UnitOut(Schema):
    public_id: UUID
    code: str
    name: str
    kind: str
    depth: int
    address: str
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_kind(unit) -> str:
        return unit.kind.code
