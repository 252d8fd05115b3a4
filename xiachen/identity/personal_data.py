from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, declare_not_personal, register

_link = PersonalField("统一身份认证和目录账号的对应关系", LegalBasis.DUTY, Sensitivity.GENERAL, None)

register("identity.ExternalAccount", {"external_id": _link})
declare_not_personal("identity.IdentityProviderDevice", {"name": "设备名称，固定为“统一身份认证”"})
