from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, declare_not_personal, register

_account = PersonalField("账号登录与操作留痕", LegalBasis.DUTY, Sensitivity.GENERAL, None)

register(
    "accounts.User",
    {
        "username": _account,
        "display_name": _account,
        "first_name": _account,
        "last_name": _account,
        "email": _account,
        "last_login": _account,
    },
)
declare_not_personal(
    "org.Unit",
    {
        "name": "单位名称是公开的组织信息",
        "address": "单位地址是公开的组织信息",
        "latitude": "单位位置是公开的组织信息",
        "longitude": "单位位置是公开的组织信息",
    },
)
declare_not_personal("org.UnitKind", {"name_zh": "词表", "name_en": "词表"})
declare_not_personal("org.AgencyKind", {"name_zh": "词表", "name_en": "词表"})
declare_not_personal("cadres.Specialty", {"name_zh": "词表", "name_en": "词表"})
declare_not_personal("households.Vulnerability", {"name_zh": "词表", "name_en": "词表"})
declare_not_personal("core.PendingImport", {"filename": "文件名；内容本身加密保存，导入后删除"})
_upload = PersonalField("批量导入：确认预览前暂存上传的表格，导入后删除", LegalBasis.DUTY, Sensitivity.SENSITIVE, None)
_preview = PersonalField("批量导入：预览结果（前若干行，已脱敏）供上传人返回查看，导入后删除", LegalBasis.DUTY,
                         Sensitivity.SENSITIVE, None)
register("core.PendingImport", {"content": _upload, "summary": _preview})
# Rows of an import being committed, prepared for insertion (personal fields already sealed as stored).
_staged = PersonalField("批量导入：提交过程中暂存待写入的行，写入或失败后立即删除", LegalBasis.DUTY,
                        Sensitivity.SENSITIVE, None)
register("core.StagedImportBatch", {"payload": _staged})
declare_not_personal("core.Holiday", {"name": "节假日名称"})
declare_not_personal("audit.AuditEvent", {"actor_label": "操作人用户名用于留痕，随审计日志保存"})
