from uuid import UUID

from ninja import Field, Schema

from .enums import Relation


class HouseholdIn(Schema):
    compound: UUID = Field(description="小区（public_id）")
    building: str = Field(min_length=1, max_length=20)
    entrance: str = Field("", max_length=20)
    room: str = Field(min_length=1, max_length=20)


class ResidentIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    relation: Relation
    id_number: str = Field(min_length=1, max_length=30, description="18 位身份证号（校验位检查）")
    phone: str = Field("", max_length=20)


class ResidentOut(Schema):
    public_id: UUID
    name: str
    relation: str
    phone: str
    id_number: str
    vulnerabilities: list[str]

    @staticmethod
    def resolve_phone(resident) -> str:
        return resident.masked_phone

    @staticmethod
    def resolve_id_number(resident) -> str:
        return resident.masked_id_number

    @staticmethod
    def resolve_vulnerabilities(resident) -> list[str]:
        return [flag.code for flag in resident.vulnerabilities.all()]


class HouseholdOut(Schema):
    public_id: UUID
    compound: str
    building: str
    entrance: str
    room: str

    @staticmethod
    def resolve_compound(household) -> str:
        return household.compound.name


class HouseholdDetailOut(HouseholdOut):
    residents: list[ResidentOut]

    @staticmethod
    def resolve_residents(household) -> list:
        return list(household.residents.prefetch_related("vulnerabilities").order_by("id"))
