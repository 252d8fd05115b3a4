from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, declare_not_personal, register

# Gate records are health and whereabouts data (PIPL Art. 28): kept for the emergency plus 28 days.
# On PostgreSQL `manage.py drop_expired_partitions` drops each month of scans once all of it is older
# (ADR 2111), with the month's disagreements, fever alerts and correction requests.
SCAN_RETENTION_DAYS = 28
_health = PersonalField("门岗体温筛查与发热跟进", LegalBasis.PUBLIC_HEALTH, Sensitivity.SENSITIVE, SCAN_RETENTION_DAYS)
_movement = PersonalField("出入管控与流调", LegalBasis.PUBLIC_HEALTH, Sensitivity.SENSITIVE, SCAN_RETENTION_DAYS)

register(
    "passes.Scan",
    {
        "temperature": _health,
        "pass_public_id": _movement,
        "household_public_id": _movement,
        "scanned_at": _movement,
        "direction": _movement,
        "manual_reason": _movement,
    },
)
register("passes.FeverAlert", {"temperature": _health, "follow_up_note": _health})

# 卡口登记 (people without a pass): contact tracing only; purged after CHECKPOINT_RETENTION_DAYS by
# `manage.py purge_checkpoint_entries` (personal fields blanked, gate / day / fever flag kept).
CHECKPOINT_RETENTION_DAYS = 28
_tracing = PersonalField(
    "卡口登记与流调追踪", LegalBasis.PUBLIC_HEALTH, Sensitivity.SENSITIVE, CHECKPOINT_RETENTION_DAYS
)
_tracing_health = PersonalField(
    "卡口体温筛查", LegalBasis.PUBLIC_HEALTH, Sensitivity.SENSITIVE, CHECKPOINT_RETENTION_DAYS
)
register(
    "passes.CheckpointEntry",
    {
        "name": _tracing,
        "name_index": _tracing,
        "phone": _tracing,
        "phone_index": _tracing,
        "id_number": _tracing,
        "id_number_index": _tracing,
        "coming_from": _tracing,
        "going_to": _tracing,
        "reason": _tracing,
        "registered_at": _tracing,
        "temperature": _tracing_health,
    },
)
# A resident's correction request may describe their movements; kept while the request is needed.
_correction = PersonalField("通行证与出入记录更正", LegalBasis.DUTY, Sensitivity.GENERAL, None)
register("passes.CorrectionRequest", {"message": _correction, "answer": _correction})

declare_not_personal("passes.SigningKey", {"seed": "出入证签名私钥，加密保存，不是个人信息"})
