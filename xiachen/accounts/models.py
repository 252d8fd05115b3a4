"""Users and their role memberships, each scoped to a unit of the tree."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel

from .enums import Role


class User(AbstractUser):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(BaseModel):
    """A user holds `role` within `unit` and its subtree. One user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="memberships", verbose_name=_("单位"))
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("角色任职")
        verbose_name_plural = _("角色任职")
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="accounts_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"
