"""The register of personal-data fields (PIPL): purpose, legal basis, sensitivity and retention.

Every model field that holds personal data is declared here by its app's `personal_data.py`;
`tests/core/test_personal_data_register.py` fails on any personal field left out.
"""

from dataclasses import dataclass
from enum import StrEnum


class Sensitivity(StrEnum):
    GENERAL = "general"
    SENSITIVE = "sensitive"  # PIPL Art. 28: ID numbers, health, whereabouts, minors


class LegalBasis(StrEnum):
    DUTY = "statutory_duty"  # PIPL Art. 13(3)
    PUBLIC_HEALTH = "public_health_emergency"  # PIPL Art. 13(4)
    EMPLOYMENT = "human_resources"  # PIPL Art. 13(2)
    CONSENT = "consent"


@dataclass(frozen=True)
class PersonalField:
    purpose: str
    legal_basis: LegalBasis
    sensitivity: Sensitivity
    retention_days: int | None  # None: kept while the record is needed for its purpose


REGISTER: dict[str, dict[str, PersonalField]] = {}


def register(model_label: str, fields: dict[str, PersonalField]) -> None:
    REGISTER.setdefault(model_label, {}).update(fields)


def registered(model_label: str) -> dict[str, PersonalField]:
    return REGISTER.get(model_label, {})


# Fields that look personal by name but hold organisation data, with the reason.
NOT_PERSONAL: dict[str, dict[str, str]] = {}


def declare_not_personal(model_label: str, fields: dict[str, str]) -> None:
    NOT_PERSONAL.setdefault(model_label, {}).update(fields)
