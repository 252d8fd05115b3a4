"""Hotline (接诉即办): categories with default deadlines, routing rules, the working calendar,
tickets and their timeline."""

from datetime import time

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiachen.core.fields import BlindIndexField, EncryptedTextField
from xiachen.core.masking import mask_name, mask_phone
from xiachen.core.models import BaseModel, Vocabulary

from .enums import (
    ComplaintReview,
    DeadlineUnit,
    EventKind,
    RequestKind,
    RequestStatus,
    ResponseClock,
    Satisfaction,
    Source,
    TicketStatus,
    Urgency,
)


class Category(Vocabulary):
    """诉求分类 with its feedback deadline (docs/vocabulary.md); the organization department edits both."""

    deadline_amount = models.PositiveSmallIntegerField(_("办理时限"))
    deadline_unit = models.CharField(_("时限单位"), max_length=20, choices=DeadlineUnit.choices,
                                     default=DeadlineUnit.HOURS)
    urgent_deadline_hours = models.PositiveSmallIntegerField(
        _("紧急时限（小时）"), null=True, blank=True, help_text=_("留空：紧急与一般诉求时限相同")
    )
    response_clock = models.CharField(
        _("签收计时"), max_length=10, choices=ResponseClock.choices, default=ResponseClock.CALENDAR,
        help_text=_("工作时间：夜间和节假日来电从下一个工作时段开始计算签收时限；紧急工单总按自然时间"),
    )

    class Meta(Vocabulary.Meta):
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")
        constraints = [models.CheckConstraint(condition=Q(deadline_amount__gte=1), name="hotline_category_deadline")]


class RoutingRule(BaseModel):
    """Tickets of `category` arising within `area` (anywhere when empty) go to `unit`,
    e.g. 就医需求 → the health commission's liaison. The most specific area wins."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="rules", verbose_name=_("诉求分类"))
    area = models.ForeignKey("org.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("适用区域"))
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("承办单位"))

    class Meta:
        ordering = ["category__sort_order", "id"]
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        constraints = [models.UniqueConstraint(fields=["category", "area"], name="hotline_rule_unique")]

    def __str__(self) -> str:
        return f"{self.category} → {self.unit}"


class WorkingCalendar(models.Model):
    """The one row of working-time settings (pk=1): hours of a working day, working weekdays,
    the response window and how early reminders go out."""

    day_start = models.TimeField(_("上班时间"), default=time(8, 30))
    day_end = models.TimeField(_("下班时间"), default=time(17, 30))
    workdays = models.CharField(_("工作日（1=周一 … 7=周日）"), max_length=7, default="12345")
    response_minutes = models.PositiveIntegerField(_("签收时限（分钟）"), default=120,
                                                   help_text=_("按各诉求分类的“签收计时”方式计算"))
    reminder_minutes = models.PositiveIntegerField(_("最早提前提醒（分钟）"), default=1440)
    reminder_percent = models.PositiveSmallIntegerField(_("提醒提前量（占时限的百分比）"), default=25)

    class Meta:
        verbose_name = _("工作时间设置")
        verbose_name_plural = _("工作时间设置")
        constraints = [
            models.CheckConstraint(condition=Q(day_end__gt=models.F("day_start")), name="hotline_calendar_day"),
            models.CheckConstraint(condition=Q(reminder_percent__lte=100), name="hotline_calendar_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.day_start:%H:%M}–{self.day_end:%H:%M}"


class Ticket(BaseModel):
    """工单: one call or resident request, owned by one unit at a time (首接负责)."""

    number = models.CharField(_("工单号"), max_length=20, unique=True, null=True, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.CALL)
    caller_name = EncryptedTextField(_("来电人"))
    caller_phone = EncryptedTextField(_("联系电话"))
    caller_phone_index = BlindIndexField(source="caller_phone", purpose="phone")
    resident = models.ForeignKey("households.Resident", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="hotline_tickets")
    place = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在小区/社区"))
    place_path = models.CharField(max_length=400, db_index=True, editable=False)
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="tickets",
                                 verbose_name=_("诉求分类"))
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    description = models.TextField(_("诉求内容"))
    status = models.CharField(_("状态"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    owner = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("承办单位"))
    owner_path = models.CharField(max_length=400, blank=True, db_index=True, editable=False)
    transfer_to = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("拟转办单位"))
    transfer_path = models.CharField(max_length=400, blank=True, db_index=True, editable=False)
    district = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("兜底区"))
    received_at = models.DateTimeField(_("受理时间"))
    response_due = models.DateTimeField(_("签收时限"))
    due_at = models.DateTimeField(_("办理时限"))
    original_due_at = models.DateTimeField(_("延期前办理时限"), null=True, blank=True)
    remind_at = models.DateTimeField(_("提醒时间"))
    deadline_from = models.DateTimeField(_("时限起算时间"), null=True, blank=True)
    deadline_provisional = models.BooleanField(_("时限待定（缺少节假日安排）"), default=False)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("首次签收时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("已升级"), null=True, blank=True)
    escalated_to = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("升级至"))
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    outcome = models.TextField(_("办理结果"), blank=True)
    called_back_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    caller_says_resolved = models.BooleanField(_("来电人认为已解决"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    satisfaction_reason = models.CharField(_("不满意原因"), max_length=300, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    duplicate_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="duplicates", verbose_name=_("重复于"))
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        indexes = [
            models.Index(fields=["status", "remind_at"], name="hotline_ticket_remind"),
            models.Index(fields=["status", "due_at"], name="hotline_ticket_due"),
            models.Index(fields=["received_at"], name="hotline_ticket_received"),
        ]
        constraints = [models.CheckConstraint(condition=Q(reopen_count__lte=1), name="hotline_reopen_once")]

    def __str__(self) -> str:
        return self.number or str(self.public_id)

    def save(self, *args, **kwargs):
        self.place_path = self.place.path
        self.owner_path = self.owner.path if self.owner_id else ""
        self.transfer_path = self.transfer_to.path if self.transfer_to_id else ""
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.caller_phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.caller_name)

    @property
    def is_unsatisfied(self) -> bool:
        return self.satisfaction == Satisfaction.UNSATISFIED


class TicketEvent(BaseModel):
    """One line of a ticket's timeline. Notes name what happened, never the caller's data."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        # 督办 events are counted per unit in the monthly rankings; they are a sliver of the
        # timeline, so a partial index finds them without reading every event (issue #14 item 6).
        indexes = [models.Index(fields=["unit", "ticket"], condition=models.Q(kind="supervised"),
                                name="hotline_event_supervised")]
        verbose_name = _("工单事件")
        verbose_name_plural = _("工单事件")

    def __str__(self) -> str:
        return f"{self.ticket} · {self.get_kind_display()}"


class TicketRequest(BaseModel):
    """A handling unit's request that someone else decides (ADR 1604): 退单 — the ticket was wrongly
    routed and goes back to the dispatcher — or 延期 — a later deadline. `unit` is the owner that asked;
    counted in its rankings by `unit_path`. Status moves only through services.move_request."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("类型"), max_length=10, choices=RequestKind.choices)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("申请单位"))
    unit_path = models.CharField(max_length=400, db_index=True, editable=False)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("理由"))
    requested_due = models.DateTimeField(_("申请延期至"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("退单与延期申请")
        verbose_name_plural = _("退单与延期申请")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], condition=Q(status="pending"),
                                    name="hotline_one_pending_request"),
            models.CheckConstraint(condition=Q(kind="return") | Q(requested_due__isnull=False),
                                   name="hotline_extension_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.get_kind_display()} · {self.get_status_display()}"

    def save(self, *args, **kwargs):
        self.unit_path = self.unit.path
        super().save(*args, **kwargs)


class ComplaintSubject(BaseModel):
    """The cadre a resident's complaint (工作人员投诉) names, and the manager's check of it. Only a
    complaint found 属实 counts in the cadre's 被投诉次数 (assessments, ADR 1604); the resident's
    words stay on the ticket, the cadre never sees who complained."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="complaint_subject")
    cadre = models.ForeignKey("cadres.Cadre", on_delete=models.PROTECT, related_name="complaints",
                              verbose_name=_("被投诉干部"))
    status = models.CharField(_("核实结果"), max_length=10, choices=ComplaintReview.choices,
                              default=ComplaintReview.PENDING)
    reviewed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    review_note = models.TextField(_("核实说明"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("投诉对象")
        verbose_name_plural = _("投诉对象")
        indexes = [models.Index(fields=["cadre", "status"], name="hotline_complaint_cadre")]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.get_status_display()}"
