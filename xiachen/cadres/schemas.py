from uuid import UUID

from ninja import Schema


class CadreOut(Schema):
    """A cadre as the API shows it: personal data masked."""

    public_id: UUID
    name: str
    agency: str
    department: str | None
    rank: int
    position: str
    specialties: list[str]
    phone: str
    id_number: str

    @staticmethod
    def resolve_agency(cadre) -> str:
        return cadre.agency.name

    @staticmethod
    def resolve_department(cadre) -> str | None:
        return cadre.department.name if cadre.department_id else None

    @staticmethod
    def resolve_specialties(cadre) -> list[str]:
        return [specialty.code for specialty in cadre.specialties.all()]

    @staticmethod
    def resolve_phone(cadre) -> str:
        return cadre.masked_phone

    @staticmethod
    def resolve_id_number(cadre) -> str:
        return cadre.masked_id_number
