from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, declare_not_personal, register

# Contact data of a caller: needed to handle the request and call back; kept a year after receipt.
_caller = PersonalField("受理诉求、派单办理与回访", LegalBasis.DUTY, Sensitivity.GENERAL, 365)

register("hotline.Ticket", {
    "caller_name": _caller, "caller_phone": _caller, "caller_phone_index": _caller,
    "address": _caller, "description": _caller, "resident": _caller, "caller_says_resolved": _caller,
})
declare_not_personal("hotline.Category", {"name_zh": "词表", "name_en": "词表"})
