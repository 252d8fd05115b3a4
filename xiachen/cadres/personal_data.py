from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, register

_profile = PersonalField("下沉干部派驻、排班与联络", LegalBasis.EMPLOYMENT, Sensitivity.GENERAL, None)
_identity = PersonalField("核验干部身份", LegalBasis.EMPLOYMENT, Sensitivity.SENSITIVE, None)
_health = PersonalField("安排岗位时避开健康禁忌", LegalBasis.EMPLOYMENT, Sensitivity.SENSITIVE, None)

register("cadres.Cadre", {
    "name": _profile, "sex": _profile, "phone": _profile, "phone_index": _profile,
    "id_number": _identity, "id_number_index": _identity, "home_address": _profile,
    "home_latitude": _profile, "home_longitude": _profile, "health_restrictions": _health,
})
register("cadres.Certification", {"name": _profile, "issuer": _profile})
