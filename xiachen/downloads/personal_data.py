from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, declare_not_personal, register

# An export lists residents or cadres (masked, or in full for an audited full export); it is only
# needed until the requester has fetched it, so it is deleted after a day (DOWNLOAD_RETENTION).
_export = PersonalField("导出文件（住户、干部名册）", LegalBasis.DUTY, Sensitivity.SENSITIVE, 1)
# The filters may be a searched name or phone number.
_filters = PersonalField("导出的筛选条件", LegalBasis.DUTY, Sensitivity.GENERAL, 1)

register("downloads.DownloadJob", {"content": _export, "params": _filters})
declare_not_personal("downloads.DownloadJob", {
    "kind": "导出类型代码", "progress_note": "进度说明（固定文字）", "filename": "固定的文件名",
})
