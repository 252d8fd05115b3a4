from django.db import models
from django.utils.translation import gettext_lazy as _


class ErrandKind(models.TextChoices):
    MEAL = "meal", _("送餐")
    GROCERIES = "groceries", _("代购生活物资")
    MEDICINE = "medicine", _("代购药品")
    STATIONERY = "stationery", _("文具 / 学习用品")
    GARBAGE = "garbage", _("垃圾清运")
    OTHER = "other", _("其他")


class ErrandStatus(models.TextChoices):
    REQUESTED = "requested", _("待接单")
    ACCEPTED = "accepted", _("已接单")
    IN_PROGRESS = "in_progress", _("办理中")
    DELIVERED = "delivered", _("已送达")
    CONFIRMED = "confirmed", _("居民已确认")
    CLOSED = "closed", _("已自动关闭")
    CANCELLED = "cancelled", _("已取消")


OPEN_ERRAND_STATUSES = (ErrandStatus.REQUESTED, ErrandStatus.ACCEPTED, ErrandStatus.IN_PROGRESS)
FINISHED_ERRAND_STATUSES = (ErrandStatus.CONFIRMED, ErrandStatus.CLOSED, ErrandStatus.CANCELLED)


class EpisodeKind(models.TextChoices):
    HOME_QUARANTINE = "home_quarantine", _("居家隔离")
    HEALTH_MONITORING = "health_monitoring", _("健康监测")


class EpisodeStatus(models.TextChoices):
    ACTIVE = "active", _("进行中")
    ENDED = "ended", _("已结束")


class VisitStatus(models.TextChoices):
    PENDING = "pending", _("待走访")
    DONE = "done", _("已走访")


class TravelMode(models.TextChoices):
    TRAIN = "train", _("火车 / 高铁")
    FLIGHT = "flight", _("飞机")
    CAR = "car", _("自驾")
    BUS = "bus", _("长途汽车")
    OTHER = "other", _("其他")


class SupportKind(models.TextChoices):
    CHECKIN = "checkin", _("探访")
    GROCERY_RUN = "grocery_run", _("代购")
    CALL = "call", _("电话问候")
