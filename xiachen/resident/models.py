"""One-time sign-in codes for the resident site (light login: phone number + six digits)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel


class LoginCode(BaseModel):
    """A code sent to a resident's phone. Only its keyed hash is stored; single use, short-lived."""

    resident = models.ForeignKey(
        "households.Resident", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    phone_index = models.CharField(max_length=64, db_index=True)
    # Keyed hash of the requesting client's address (per-address budget; the address is not kept).
    ip_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("登录验证码")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"code for resident {self.resident_id}"
