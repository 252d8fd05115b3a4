from django.db import models
from django.utils.translation import gettext_lazy as _


class Rank(models.IntegerChoices):
    CLERK = 1, _("科员")
    DEPUTY_SECTION = 2, _("副科级")
    SECTION = 3, _("正科级")
    DEPUTY_DIVISION = 4, _("副处级")
    DIVISION = 5, _("正处级")
    BUREAU = 6, _("副局级及以上")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class AvailabilityKind(models.TextChoices):
    AVAILABLE = "available", _("可下沉")
    UNAVAILABLE = "unavailable", _("不可下沉")
