from xiachen.core.personal_data import declare_not_personal

declare_not_personal("notices.NoticeTarget", {"building": "通知的送达范围（楼栋号），不指向个人"})
