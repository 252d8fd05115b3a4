from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    IN = "in", _("进")
    OUT = "out", _("出")


class ScanMethod(models.TextChoices):
    QR = "qr", _("扫码")
    MANUAL = "manual", _("人工核验")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待跟进")
    CLOSED = "closed", _("已处理")


EXEMPT_GROUPS = {
    "medical_staff": _("医护人员"),
    "cadres_on_duty": _("在岗下沉干部 / 社区工作者"),
    "delivery": _("快递外卖配送"),
    "utility_repair": _("水电抢修"),
    "emergency": _("急救就医"),
}
