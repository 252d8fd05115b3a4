from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, register

# Door-to-door forms (ADR 2021): answers about a household and its members, filled by staff. A form may
# ask about health (temperatures), hence sensitive; kept with the survey, removed with it.
_field_form = PersonalField("入户摸排", LegalBasis.PUBLIC_HEALTH, Sensitivity.SENSITIVE, None)

register("surveys.HouseholdVisit", {"household": _field_form})
register("surveys.MemberAnswer", {"resident": _field_form, "value": _field_form})
register("surveys.VisitPhoto", {"content": _field_form, "resident": _field_form})
