from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, register

# Retention: a year after the emergency for contact data; the register itself is a statutory duty.
_contact = PersonalField("社区服务与联络", LegalBasis.DUTY, Sensitivity.GENERAL, 365)
_identity = PersonalField("核验居民身份、签发通行证", LegalBasis.PUBLIC_HEALTH, Sensitivity.SENSITIVE, 365)
_vulnerable = PersonalField("困难群众帮扶", LegalBasis.DUTY, Sensitivity.SENSITIVE, 365)
_address = PersonalField("按住址组织服务与通行", LegalBasis.DUTY, Sensitivity.GENERAL, None)

register("households.Resident", {
    "name": _contact, "sex": _contact, "birth_date": _identity, "phone": _contact, "phone_index": _contact,
    "id_number": _identity, "id_number_index": _identity, "vulnerabilities": _vulnerable, "relation": _contact,
})
register("households.Household", {"building": _address, "entrance": _address, "room": _address})
