"""Policy documents, their versions, and the feedback cadres and community workers file on a version."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel

from .enums import FeedbackStatus


class PolicyDocument(BaseModel):
    """A policy document (e.g. 武防指〔2020〕12号) of one issuing agency."""

    title = models.CharField(_("标题"), max_length=200)
    issuing_agency = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="policy_documents", verbose_name=_("发文单位")
    )
    agency_path = models.CharField(max_length=400, db_index=True, editable=False)
    document_number = models.CharField(_("文号"), max_length=60, unique=True)
    summary = models.TextField(_("摘要"), blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["agency_path", "-created_at", "id"]
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")

    def __str__(self) -> str:
        return f"{self.title}（{self.document_number}）"

    def save(self, *args, **kwargs):
        self.agency_path = self.issuing_agency.path
        super().save(*args, **kwargs)


class PolicyVersion(BaseModel):
    """One version of a document, effective from a date; may cite the feedback items it answers."""

    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本号"))
    effective_from = models.DateField(_("生效日期"))
    effective_until = models.DateField(_("失效日期"), null=True, blank=True)
    text = models.TextField(_("正文"))
    change_note = models.CharField(_("修订说明"), max_length=300, blank=True)
    # Pass-policy versions live in another app; a loose link keeps the two apps independent (ADR 0801).
    pass_policy_version_id = models.CharField(_("关联通行政策版本编号"), max_length=64, blank=True)
    pass_policy_version_label = models.CharField(_("关联通行政策版本"), max_length=120, blank=True)
    answers = models.ManyToManyField(
        "policies.FeedbackItem", blank=True, related_name="answered_by_versions", verbose_name=_("回应的意见")
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["document_id", "-number"]
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="policies_version_number_unique"),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True) | Q(effective_until__gte=models.F("effective_from")),
                name="policies_version_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.document_number} 第{self.number}版"

    @property
    def label(self) -> str:
        return f"第{self.number}版"


class VersionAttachment(BaseModel):
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to="policies/attachments/%Y/%m/")
    title = models.CharField(_("附件标题"), max_length=120)

    class Meta:
        verbose_name = _("政策附件")
        verbose_name_plural = _("政策附件")

    def __str__(self) -> str:
        return self.title


class FeedbackItem(BaseModel):
    """A problem seen on the ground with one version, owned by the issuing agency until answered."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="feedback")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="policy_feedback")
    author_role = models.CharField(_("反馈人身份"), max_length=30)
    owner_agency = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位"))
    owner_path = models.CharField(max_length=400, db_index=True, editable=False)
    problem = models.TextField(_("问题"))
    where_seen = models.CharField(_("发现地点/场景"), max_length=200)
    suggestion = models.TextField(_("建议"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN)
    filed_on = models.DateField(_("反馈日期"), null=True, blank=True)
    due_date = models.DateField(_("答复期限"))
    due_date_provisional = models.BooleanField(_("期限待定（缺少节假日安排）"), default=False)
    answer = models.TextField(_("答复"), blank=True)
    planned_version = models.CharField(_("将修订的版本"), max_length=120, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报组织部时间"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("政策反馈")
        verbose_name_plural = _("政策反馈")
        indexes = [models.Index(fields=["status", "due_date"], name="policies_feedback_due")]

    def __str__(self) -> str:
        return self.problem[:40]

    def save(self, *args, **kwargs):
        self.owner_path = self.owner_agency.path
        super().save(*args, **kwargs)


class FeedbackPhoto(BaseModel):
    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="policies/feedback/%Y/%m/")

    class Meta:
        verbose_name = _("反馈照片")
        verbose_name_plural = _("反馈照片")

    def __str__(self) -> str:
        return self.image.name


def is_overdue(item: FeedbackItem, today) -> bool:
    return item.status == FeedbackStatus.OPEN and item.due_date < today
