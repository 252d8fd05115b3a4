"""Pass policies in versions, signing keys, passes, bulk revocations, gate scans and fever alerts."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel

from .enums import AlertStatus, Direction, RequestStatus, ScanMethod


class PolicyVersion(BaseModel):
    """出入证政策: structured rules (see `rules.py`) in force for a community from `effective_at`."""

    community = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="pass_policies")
    community_path = models.CharField(max_length=400, db_index=True, editable=False)
    number = models.PositiveIntegerField(_("版本号"))
    effective_at = models.DateTimeField(_("生效时间"))
    rules = models.JSONField(_("规则"))
    change_note = models.CharField(_("修改说明"), max_length=500)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["community_path", "-number"]
        verbose_name = _("通行政策版本")
        constraints = [models.UniqueConstraint(fields=["community", "number"], name="passes_policy_number_unique")]

    def __str__(self) -> str:
        return f"v{self.number}"


class PolicyAcknowledgement(BaseModel):
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="passes_ack_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} read v{self.version_id}"


class SigningKey(BaseModel):
    """An Ed25519 key of an issuing community. Trusted from `valid_from` until `trusted_until`."""

    community = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="pass_keys")
    community_path = models.CharField(max_length=400, db_index=True, editable=False)
    key_id = models.CharField(_("密钥编号"), max_length=7, unique=True)
    public_key = models.CharField(max_length=64)  # base64
    seed = models.TextField()  # the private seed, AES-GCM encrypted with core.crypto (not personal data)
    valid_from = models.DateTimeField(_("启用时间"))
    trusted_until = models.DateTimeField(_("信任截止"), null=True, blank=True)  # set on rotation (overlap end)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["community_path", "-valid_from"]
        verbose_name = _("签名密钥")

    def __str__(self) -> str:
        return self.key_id


class Pass(BaseModel):
    """A resident's pass. `public_id` is the pass id inside the token."""

    resident = models.ForeignKey("households.Resident", on_delete=models.CASCADE, related_name="passes")
    household = models.ForeignKey("households.Household", on_delete=models.CASCADE, related_name="passes")
    community = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=400, db_index=True, editable=False)
    audience = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("适用范围"))
    group = models.CharField(_("豁免类别"), max_length=30, blank=True)
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("失效时间"))
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="passes")
    token = models.CharField(max_length=400)
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True, db_index=True)
    revoke_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("通行证")

    def __str__(self) -> str:
        return str(self.public_id)


class RevocationRequest(BaseModel):
    """Revoking more than ten passes at once waits for a second approver."""

    community = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=400, db_index=True, editable=False)
    pass_ids = models.JSONField()
    reason = models.CharField(_("原因"), max_length=300)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    status = models.CharField(max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{len(self.pass_ids)} passes"


class Scan(models.Model):
    """One gate scan, idempotent on the device's UUID. Holds pass ids and verdicts, no identity data."""

    client_uuid = models.UUIDField(unique=True)
    device_id = models.CharField(max_length=40)
    gate = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    gate_path = models.CharField(max_length=400, db_index=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    scanned_at = models.DateTimeField(db_index=True)
    received_at = models.DateTimeField()
    method = models.CharField(max_length=8, choices=ScanMethod.choices, default=ScanMethod.QR)
    pass_public_id = models.UUIDField(null=True, blank=True, db_index=True)
    household_public_id = models.UUIDField(null=True, blank=True, db_index=True)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    temperature = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    client_valid = models.BooleanField()
    client_reason = models.CharField(max_length=30)
    server_valid = models.BooleanField()
    server_reason = models.CharField(max_length=30)
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    manual_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-scanned_at"]
        indexes = [models.Index(fields=["gate", "scanned_at"], name="passes_scan_gate_time")]

    def __str__(self) -> str:
        return str(self.client_uuid)

    @property
    def disagrees(self) -> bool:
        return self.client_valid != self.server_valid or self.client_reason != self.server_reason


class Disagreement(BaseModel):
    """The offline verdict differed from the server's re-check: kept for a supervisor, never overwritten."""

    scan = models.OneToOneField(Scan, on_delete=models.CASCADE, related_name="disagreement", to_field="client_uuid")
    gate_path = models.CharField(max_length=400, db_index=True)
    resolved_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"disagreement {self.scan_id}"


class FeverAlert(BaseModel):
    """A temperature at or above the threshold: an alert to the manager and a follow-up task."""

    scan = models.OneToOneField(Scan, on_delete=models.CASCADE, related_name="fever_alert", to_field="client_uuid")
    gate_path = models.CharField(max_length=400, db_index=True)
    temperature = models.DecimalField(max_digits=4, decimal_places=1)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.temperature}"
