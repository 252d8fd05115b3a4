from xiachen.core.personal_data import LegalBasis, PersonalField, Sensitivity, register

_service = PersonalField("代办服务", LegalBasis.DUTY, Sensitivity.GENERAL, 365)
_health = PersonalField("隔离与健康监测", LegalBasis.PUBLIC_HEALTH, Sensitivity.SENSITIVE, 180)
_support = PersonalField("困难群众帮扶", LegalBasis.DUTY, Sensitivity.SENSITIVE, 365)

register("errands.Errand", {
    "details": _service, "prescription_note": _health, "comment": _service, "payment_note": _service,
})
register("errands.QuarantineEpisode", {"kind": _health, "start": _health, "planned_end": _health, "reason": _health})
register("errands.EpisodeExtension", {"reason": _health})
register("errands.HealthReport", {"temperature": _health, "symptoms": _health})
register("errands.VisitTask", {"note": _health})
register("errands.ReturnReport", {
    "origin": _health, "arrived_on": _health, "travel_mode": _health, "travel_detail": _health,
})
register("errands.SupportContact", {"note": _support})
