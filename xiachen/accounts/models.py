"""Users and their role memberships, each scoped to a unit of the tree."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel

from .enums import Role


# The plugin cannot resolve the reverse manager of identity's IdentityProviderDevice.user: that model's
# base class (django-otp's Device) has no type information.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    # Set when an administrator issues a temporary password: the next sign-in must choose a new one.
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    # Not columns: caches on one user object, absent until set (read with getattr). permissions.py keeps
    # the active memberships; an API token's service account gets both from xiachen.interop.tokens.
    _xiachen_memberships: list["Membership"]
    _xiachen_token_permissions: frozenset[str]
    xiachen_idp_second_factor: bool  # set at SSO sign-in by xiachen.identity.sso

    class Meta:  # AbstractUser.Meta holds only the two names set here (and abstract)
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


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("待第二名管理员批准")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class RoleGrant(BaseModel):
    """A request to give `user` a privileged role over `unit`, waiting for a second administrator.

    Granting the organization department's or the system administrator's role takes two people
    (ADR 1401): the requester files a grant, a *different* administrator approves it, and only then
    does the membership exist. Rejected and approved grants stay as the record of who decided.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    status = models.CharField(_("状态"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("审批人")
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("角色授予申请")
        verbose_name_plural = _("角色授予申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"
