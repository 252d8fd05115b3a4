"""Pass policies in versions, signing keys, passes, bulk revocations, gate scans and fever alerts."""

import uuid
from collections.abc import Collection, Iterable
from typing import Any, ClassVar, cast

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from xiachen.core.fields import BlindIndexField, EncryptedTextField
from xiachen.core.models import BaseModel, MaskedContactMixin

from .enums import (
    CHECKPOINT_KINDS,
    AlertStatus,
    CorrectionStatus,
    CorrectionSubject,
    Decision,
    Direction,
    RequestStatus,
    ScanMethod,
)
from .partitions import CHECKPOINTS, SCANS, Partitioned, claim, on_postgresql, uuid_text


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
        verbose_name = _("政策确认")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="passes_ack_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} read v{self.version_id}"


class SigningKey(BaseModel):
    """An Ed25519 key of an issuing community. Trusted from `valid_from` until `trusted_until`."""

    community = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="pass_keys")
    community_path = models.CharField(max_length=400, db_index=True, editable=False)
    key_id = models.CharField(_("密钥编号"), max_length=7, unique=True)
    public_key = models.CharField(max_length=64)  # base64
    seed = EncryptedTextField()  # base64 of the private seed, encrypted and bound to this row (not personal data)
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
        verbose_name = _("吊销申请")
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{len(self.pass_ids)} passes"


class ClaimingQuerySet(models.QuerySet):
    """bulk_create claims the rows' client UUIDs first (PostgreSQL partitions, ADR 2111; see ClaimsClientUUID)."""

    def bulk_create(
        self,
        objs: Iterable[Any],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[Any]:
        objs = list(objs)
        if update_conflicts:  # an upsert would change rows claimed already: not for these tables
            raise ValueError("bulk_create(update_conflicts=True) is not supported on partitioned models (ADR 2111)")
        if not on_postgresql():
            return super().bulk_create(objs, batch_size=batch_size, ignore_conflicts=ignore_conflicts)
        with transaction.atomic(using=self.db, savepoint=False):
            spec = cast(type[ClaimsClientUUID], self.model).partitioned
            claimed = claim(spec, [obj.client_uuid for obj in objs], skip_stored=ignore_conflicts)
            # with ignore_conflicts, a UUID stored already is skipped as ON CONFLICT DO NOTHING would
            kept = [o for o in objs if uuid_text(o.client_uuid) in claimed]
            super().bulk_create(kept, batch_size=batch_size, ignore_conflicts=ignore_conflicts)
        return objs


class ClaimsClientUUID(models.Model):
    """A model whose table is partitioned by month on PostgreSQL, idempotent on `client_uuid` (ADR 2111).

    No unique index can hold `client_uuid` across the months, so every insert claims the UUID in the
    table's claim table first, in the same transaction: save() of a new row here, bulk_create() in
    ClaimingQuerySet, the scan ingest in its own COPY path. A stored UUID raises IntegrityError as the
    unique index does on SQLite. Nothing changes on SQLite.
    """

    partitioned: ClassVar[Partitioned]
    client_uuid: Any  # a UUIDField in each model
    objects = ClaimingQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not (on_postgresql() and self._state.adding and (self.pk is None or kwargs.get("force_insert"))):
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            claim(self.partitioned, [self.client_uuid])
            return super().save(*args, **kwargs)


class Scan(ClaimsClientUUID):
    """One gate scan, idempotent on the device's UUID. Holds pass ids and verdicts, no identity data."""

    partitioned = SCANS
    client_uuid = models.UUIDField(unique=True)
    device_id = models.CharField(max_length=40)
    # Every index and constraint here is paid for on each scan of each batch (ADR 0503): the gate is
    # indexed through passes_scan_gate_time, and neither foreign key is a database constraint (units
    # and users are deactivated, never deleted; PROTECT still guards a delete through the ORM).
    gate = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    gate_path = models.CharField(max_length=400)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    scanned_at = models.DateTimeField(db_index=True)
    received_at = models.DateTimeField()
    method = models.CharField(max_length=8, choices=ScanMethod.choices, default=ScanMethod.QR)
    pass_public_id = models.UUIDField(null=True, blank=True)  # looked up through the household
    household_public_id = models.UUIDField(null=True, blank=True, db_index=True)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    temperature = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    client_valid = models.BooleanField()
    client_reason = models.CharField(max_length=30)
    server_valid = models.BooleanField()
    server_reason = models.CharField(max_length=30)
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    manual_reason = models.CharField(max_length=200, blank=True)
    clock_offset = models.IntegerField(db_default=0, help_text="seconds added to the device's timestamp (skewed clock)")

    class Meta:
        verbose_name = _("通行扫码记录")
        verbose_name_plural = verbose_name
        ordering = ["-scanned_at"]
        indexes = [
            models.Index(fields=["gate", "scanned_at"], name="passes_scan_gate_time"),
            # One index serves both equality and the scope's prefix match (LIKE 'path%') on PostgreSQL,
            # where db_index=True would build two. With the time second, a community's scan log
            # (newest first) and its last day's hourly flows read the index alone instead of sorting
            # every scan of the community (issue #14 item 6: 84 s at Wuhan scale before keyset pages).
            models.Index(fields=["gate_path", "scanned_at"], name="passes_scan_gate_path_time",
                         opclasses=["varchar_pattern_ops", "timestamptz_ops"]),
        ]

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
    # Both verdicts stay on the scan; the supervisor records which one stands and why.
    decision = models.CharField(_("处理结论"), max_length=12, choices=Decision.choices, blank=True)
    note = models.CharField(_("处理说明"), max_length=500, blank=True)

    def __str__(self) -> str:
        return f"disagreement {self.scan_id}"

    class Meta:
        verbose_name = _("核验分歧")
        verbose_name_plural = verbose_name


class FeverAlert(BaseModel):
    """A temperature at or above the threshold: an alert to the manager and a follow-up task."""

    scan = models.OneToOneField(Scan, on_delete=models.CASCADE, related_name="fever_alert", to_field="client_uuid")
    gate_path = models.CharField(max_length=400, db_index=True)
    temperature = models.DecimalField(max_digits=4, decimal_places=1)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    follow_up_note = models.CharField(_("跟进情况"), max_length=500, blank=True)
    closed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("发热预警")
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.temperature}"


class CheckpointEntry(MaskedContactMixin, ClaimsClientUUID):
    """卡口登记: a person without a pass registered at a gate, idempotent on the device's UUID.

    Name, phone and ID number are encrypted with a blind index for exact contact-tracing lookup;
    after the retention period `purge_checkpoint_entries` blanks every personal field and keeps
    only the gate, the day and the fever flag (the aggregates).
    """

    partitioned = CHECKPOINTS
    client_uuid = models.UUIDField(unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    device_id = models.CharField(max_length=40)
    gate = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    gate_path = models.CharField(max_length=400, db_index=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(_("登记时间"), db_index=True)
    received_at = models.DateTimeField()
    name = EncryptedTextField(_("姓名"), blank=True)
    name_index = BlindIndexField(source="name", purpose="checkpoint.name")
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_index = BlindIndexField(source="phone", purpose="checkpoint.phone")
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_number_index = BlindIndexField(source="id_number", purpose="checkpoint.id_number")
    coming_from = models.CharField(_("来自"), max_length=100, blank=True)
    going_to = models.CharField(_("前往"), max_length=100, blank=True)
    temperature = models.DecimalField(_("体温"), max_digits=4, decimal_places=1, null=True, blank=True)
    fever = models.BooleanField(default=False)  # kept after the purge: an aggregate, not an identity
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    kind = models.CharField(_("人员类别"), max_length=20, db_default="other")
    # The pass policy in force at registration decides (visitors allowed or not; fever); kept after the purge.
    admitted = models.BooleanField(_("准予通行"), db_default=True)
    refusal = models.CharField(max_length=30, blank=True, db_default="")
    purged_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("卡口登记")

    def __str__(self) -> str:
        return str(self.public_id)

    @property
    def kind_label(self) -> str:
        return str(CHECKPOINT_KINDS.get(self.kind, self.kind))

    @property
    def refusal_label(self) -> str:
        labels = {"fever": _("体温异常"), "visitors_not_allowed": _("现行政策不允许访客")}
        return str(labels.get(self.refusal, self.refusal))

    @property
    def masked_name(self) -> str:
        from xiachen.core.masking import mask_name

        return mask_name(self.name)


class CorrectionRequest(BaseModel):
    """A resident disputes a revocation of their pass or a scan record of their household (申诉更正)."""

    resident = models.ForeignKey("households.Resident", on_delete=models.CASCADE, related_name="pass_corrections")
    community = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    community_path = models.CharField(max_length=400, db_index=True, editable=False)
    subject = models.CharField(_("对象"), max_length=12, choices=CorrectionSubject.choices)
    pass_ref = models.ForeignKey(Pass, on_delete=models.CASCADE, null=True, blank=True, related_name="corrections")
    scan = models.ForeignKey(
        Scan, on_delete=models.CASCADE, null=True, blank=True, related_name="corrections", to_field="client_uuid"
    )
    message = models.TextField(_("更正说明"), max_length=1000)
    status = models.CharField(max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN)
    answer = models.TextField(_("答复"), max_length=1000, blank=True)
    answered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("更正申请")

    def __str__(self) -> str:
        return f"{self.subject} {self.public_id}"

    @property
    def masked_resident_name(self) -> str:
        from xiachen.core.masking import mask_name

        return mask_name(self.resident.name)
