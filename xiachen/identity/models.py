"""Links between local accounts and an outside identity source (OpenID Connect, LDAP).

Users are matched to the outside world only through these rows, never by e-mail or display name:
a provider that lets people choose their e-mail address could otherwise take over an account.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from xiachen.core.models import BaseModel


class Source(models.TextChoices):
    OIDC = "oidc", _("统一身份认证")
    LDAP = "ldap", _("LDAP目录")


class ExternalAccount(BaseModel):
    """`user` is the person the source knows as `external_id` (the OIDC `sub`, the LDAP entry's DN)."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="external_accounts", verbose_name=_("用户")
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    external_id = models.CharField(_("外部标识"), max_length=400)
    # Set when the directory sync disabled the account because its entry disappeared; a later sync
    # that finds the entry again enables it (an account an administrator disabled stays disabled).
    disabled_by_sync = models.BooleanField(_("因目录同步停用"), default=False)

    class Meta:
        verbose_name = _("外部身份关联")
        verbose_name_plural = _("外部身份关联")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="identity_external_unique"),
            models.UniqueConstraint(fields=["source", "user"], name="identity_external_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_source_display()}"


class DirectoryMembership(models.Model):
    """Marks a membership as managed by `source`: a sync may withdraw it, never an administrator's own."""

    membership = models.OneToOneField(
        "accounts.Membership", on_delete=models.CASCADE, related_name="directory", verbose_name=_("角色任职")
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)

    class Meta:
        verbose_name = _("目录管理的角色任职")
        verbose_name_plural = _("目录管理的角色任职")

    def __str__(self) -> str:
        return f"{self.membership} · {self.get_source_display()}"


class IdentityProviderDevice(Device):
    """The identity provider's own second factor, as django-otp sees it (ADR 1811).

    It accepts no code: a session is marked verified with it only by the sign-in service, after the
    provider's signed ID token asserted a multi-factor sign-in the settings accept.
    """

    class Meta(Device.Meta):
        verbose_name = _("统一身份认证的第二因素")
        verbose_name_plural = _("统一身份认证的第二因素")

    def verify_token(self, token) -> bool:
        return False
