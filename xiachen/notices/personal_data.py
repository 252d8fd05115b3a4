from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, declare_not_personal, register

declare_not_personal("notices.NoticeTarget", {"building": "通知的送达范围（楼栋号），不指向个人"})
register("notices.ChannelPreference", {
    "wecom_userid": PersonalField("把通知发到本人的企业微信", LegalBasis.DUTY, Sensitivity.GENERAL, None),
})
declare_not_personal("notices.ChannelPreference", {"by_email": "是否用电子邮件接收的开关，不是邮箱地址"})
