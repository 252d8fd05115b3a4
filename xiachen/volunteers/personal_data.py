from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, declare_not_personal, register

# Retention None: kept while the person serves; a member who leaves is withdrawn, not erased, so
# their approved hours still count for their agency's feedback.
_contact = PersonalField("双报到与志愿服务联络", LegalBasis.CONSENT, Sensitivity.GENERAL, None)
_identity = PersonalField("核验在职党员与志愿者身份", LegalBasis.CONSENT, Sensitivity.SENSITIVE, None)
_roster = PersonalField("单位党员名册，用于核验个人报到", LegalBasis.EMPLOYMENT, Sensitivity.SENSITIVE, None)

register("volunteers.AgencyMemberListEntry", {
    "name": _roster, "id_number": _roster, "id_number_index": _roster, "phone": _roster, "phone_index": _roster,
})
register("volunteers.Member", {"name": _contact, "contact_preference": _contact})
register("volunteers.PairingProject", {"owner": _contact})
declare_not_personal("volunteers.PointsCatalogItem", {"name": "兑换物品的名称"})
declare_not_personal("volunteers.Activity", {"health_requirement": "活动对参加者的健康要求，不是某个人的健康信息"})
