"""Base model and vocabulary base shared by every domain app."""

import uuid
from typing import Protocol

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .fields import EncryptedTextField


class BaseModel(models.Model):
    """Created/updated timestamps and a public UUID; internal integer keys never leave the server."""

    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class _Contact(Protocol):
    @property
    def phone(self) -> str: ...

    @property
    def id_number(self) -> str: ...


class MaskedContactMixin:
    """`masked_phone` and `masked_id_number` for models with encrypted `phone` and `id_number`."""

    @property
    def masked_phone(self: _Contact) -> str:
        from .masking import mask_phone

        return mask_phone(self.phone)

    @property
    def masked_id_number(self: _Contact) -> str:
        from .masking import mask_id_number

        return mask_id_number(self.id_number)


class Vocabulary(models.Model):
    """A controlled vocabulary entry: a stable English code and labels users see (editable data)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name_zh = models.CharField(_("中文名称"), max_length=80)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        language = get_language() or "zh-hans"
        return self.name_en if language.startswith("en") and self.name_en else self.name_zh


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    PREVIEWING = "previewing", _("正在检查")
    READY = "ready", _("待确认")
    COMMITTING = "committing", _("正在导入")
    DONE = "done", _("已导入")
    FAILED = "failed", _("未完成")


class PendingImport(BaseModel):
    """An uploaded workbook from upload to commit (ADR 1711). Content is encrypted; it is dropped once
    committed, replaced by the same user's next upload of the kind, or purged when unconfirmed
    (imports.purge_pending).

    Small files are previewed and committed inside the request. Larger ones are handled by the
    background worker under a lease (xiachen.ops.leases): `status`, `progress` and `progress_note`
    are what the import page polls; `summary` keeps the preview (first rows masked, errors grouped)
    for the user to come back to; a lost worker leaves it FAILED with the reason in `progress_note`.
    """

    kind = models.CharField(_("导入类型"), max_length=30)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("文件名"), max_length=200)
    sheet = models.CharField(_("工作表"), max_length=100, blank=True)  # chosen by the user; "" = the default
    content = EncryptedTextField(_("文件"), blank=True)  # base64 of the workbook bytes, encrypted and bound to this row
    status = models.CharField(_("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    progress_note = models.CharField(_("进度说明"), max_length=200, blank=True)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    created_count = models.PositiveIntegerField(_("导入行数"), default=0)
    summary = EncryptedTextField(_("预览结果"), blank=True)  # JSON of the ImportPreview (masked rows)

    class Meta:
        verbose_name = _("待确认导入")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.PREVIEWING, ImportStatus.COMMITTING)


class StagedImportBatch(models.Model):
    """A batch of rows of an import being committed, ready to insert (xiachen.core.staging, ADR 1712).

    `payload` is JSON of database-ready column values: personal fields are already sealed exactly as
    they will be stored (bound to their future row), so the batch holds nothing the target tables
    would not. Deleted by the final transaction that moves the rows, or with its upload.
    """

    pending = models.ForeignKey(PendingImport, on_delete=models.CASCADE, related_name="staged_batches",
                                verbose_name=_("待确认导入"))
    seq = models.PositiveIntegerField(_("顺序"))
    rows = models.PositiveIntegerField(_("行数"))
    payload = models.TextField(_("数据"))

    class Meta:
        verbose_name = _("暂存的导入数据")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["pending", "seq"], name="core_staged_batch_seq")]

    def __str__(self) -> str:
        return f"{self.pending_id}#{self.seq}"


class Holiday(models.Model):
    """A public holiday, or (is_workday) a weekend made a working day (调休).

    The one working-day calendar of the platform: hotline deadlines and policy-feedback deadlines
    both count working days from it.
    """

    date = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("名称"), max_length=40)
    is_workday = models.BooleanField(_("调休上班"), default=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class CalendarYear(models.Model):
    """A year whose public holidays and make-up days are loaded from the State Council's notice.

    Working-day arithmetic trusts the holiday rows only for these years; a deadline that reaches a
    year not listed here is provisional (computed by the weekday rule) and the administrator is alerted.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("依据"), max_length=200)
    loaded_at = models.DateTimeField(_("导入时间"), auto_now=True)
    loaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("导入人")
    )

    class Meta:
        ordering = ["year"]
        verbose_name = _("日历年份")
        verbose_name_plural = _("日历年份")

    def __str__(self) -> str:
        return str(self.year)
