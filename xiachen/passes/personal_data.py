from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, register

# Gate records are health and whereabouts data (PIPL Art. 28): kept for the emergency plus 28 days.
_health = PersonalField("门岗体温筛查与发热跟进", LegalBasis.PUBLIC_HEALTH, Sensitivity.SENSITIVE, 28)
_movement = PersonalField("出入管控与流调", LegalBasis.PUBLIC_HEALTH, Sensitivity.SENSITIVE, 28)

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
register("passes.FeverAlert", {"temperature": _health})
