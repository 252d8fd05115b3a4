from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ACCEPTED = "accepted", _("已采纳")
    EXPLAINED = "explained", _("已解释说明")
    DECLINED = "declined", _("不予采纳")


ANSWERED_STATUSES = (FeedbackStatus.ACCEPTED, FeedbackStatus.EXPLAINED, FeedbackStatus.DECLINED)
