from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, register

register("resident.LoginCode", {
    "phone_index": PersonalField("居民端登录验证", LegalBasis.DUTY, Sensitivity.GENERAL, 1),
})
