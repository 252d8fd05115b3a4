"""Surveys (问卷): questions with required flags and simple skip logic, distributed to compounds.

Anonymity is structural (ADR 1505). `SurveyResponse` and `Answer` hold no key to a resident, a
household or a user, no time finer than the day and no sequential id (random UUID keys), so no column
can be joined back to `Participation`, which records only *that* a resident answered (for "one answer
per resident" and response rates). For named surveys `Participation.response` points at the response
so the resident can edit it; for anonymous surveys it stays empty, always.

Rows written in one transaction are linked by the database itself (PostgreSQL's xmin and physical
order, SQLite's rowid order), so an anonymous answer sheet is never written with its participation:
it waits in `PendingAnswerSheet` and is moved into `SurveyResponse` later, in another transaction,
shuffled, together with at least `anonymity_batch()` other sheets (or all of them when the survey
ends). Until then it is not counted in the results.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import BaseModel


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("收集中")
    CLOSED = "closed", _("已截止")


class Audience(models.TextChoices):
    RESIDENTS = "residents", _("居民自填")
    HOUSEHOLDS = "households", _("入户摸排（工作人员逐户填报）")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    RATING = "rating", _("评分")
    NUMBER = "number", _("数字")
    TEXT = "text", _("文字")
    DATE = "date", _("日期")
    CALCULATED = "calculated", _("计算（入户摸排）")
    GPS = "gps", _("定位（入户摸排）")
    PHOTO = "photo", _("照片（入户摸排）")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
FIELD_ONLY_KINDS = (QuestionKind.CALCULATED, QuestionKind.GPS, QuestionKind.PHOTO)


class Survey(BaseModel):
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    community = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    community_path = models.CharField(max_length=400, db_index=True, editable=False)
    compounds = models.ManyToManyField("org.Unit", related_name="surveys", verbose_name=_("发放小区"))
    anonymous = models.BooleanField(
        _("匿名问卷"), default=False, help_text=_("匿名答卷不保存与居民的任何关联，提交后不能修改")
    )
    audience = models.CharField(_("填写方式"), max_length=10, choices=Audience.choices, default=Audience.RESIDENTS)
    status = models.CharField(_("状态"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    closes_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.community_path = self.community.path
        super().save(*args, **kwargs)

    @property
    def is_field_form(self) -> bool:
        return self.audience == Audience.HOUSEHOLDS

    def accepts_answers(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == SurveyStatus.OPEN and (self.closes_at is None or now < self.closes_at)


class Question(BaseModel):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("题型"), max_length=12, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    required = models.BooleanField(_("必答"), default=True)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    rating_max = models.PositiveSmallIntegerField(_("最高分"), default=5)
    # Simple skip logic: show this question only when an earlier single-choice question got this answer.
    show_if = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("显示条件题目")
    )
    show_if_value = models.CharField(_("显示条件答案"), max_length=100, blank=True)
    # Field forms (ADR 2021): expressions in the whitelisted language of `expressions.py`.
    calculation = models.CharField(_("计算公式"), max_length=300, blank=True)
    constraint = models.CharField(_("约束条件"), max_length=300, blank=True)
    constraint_message = models.CharField(_("不满足约束时的提示"), max_length=100, blank=True)
    per_member = models.BooleanField(_("每位家庭成员各填一次"), default=False)

    class Meta:
        verbose_name = _("题目")
        verbose_name_plural = verbose_name
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "position"], name="surveys_question_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


class SurveyResponse(models.Model):
    """One submitted answer sheet. Deliberately no resident, user, household, compound or timestamp."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # The local day the sheet entered this table (for anonymous surveys: the day of the batch), no time.
    recorded_on = models.DateField(default=timezone.localdate, editable=False)

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")

    def __str__(self) -> str:
        return str(self.id)


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField()

    class Meta:
        verbose_name = _("答案")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="surveys_answer_once")]

    def __str__(self) -> str:
        return f"{self.question_id}={self.value}"


class PendingAnswerSheet(models.Model):
    """An anonymous answer sheet not yet moved into `SurveyResponse` (ADR 1505). Written in the same
    transaction as the participation, so linkable while it waits; deleted when its batch is written.
    `answers` maps question ids (as text) to values."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="pending_sheets")
    answers = models.JSONField()

    class Meta:
        verbose_name = _("待入库的匿名答卷")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return str(self.id)


class Participation(BaseModel):
    """That a resident answered a survey: one per resident. For named surveys it points at the
    response (so it can be edited until the survey closes); for anonymous surveys never."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    resident = models.ForeignKey("households.Resident", on_delete=models.CASCADE, related_name="+")
    compound_path = models.CharField(max_length=400, db_index=True)
    response = models.OneToOneField(
        SurveyResponse, on_delete=models.SET_NULL, null=True, blank=True, related_name="participation"
    )
    submission_key = models.UUIDField()

    class Meta:
        verbose_name = _("参与记录")
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "resident"], name="surveys_one_answer_per_resident"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.resident_id}"




class HouseholdVisit(BaseModel):
    """One household's answers to a field form (入户摸排), filled by a worker or cadre on duty. The
    household-level answers are an ordinary `SurveyResponse`; per-member answers are `MemberAnswer`s.
    One per survey and household: a later submission replaces the answers (ADR 2021)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="visits", verbose_name=_("问卷"))
    household = models.ForeignKey(
        "households.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("住户")
    )
    compound_path = models.CharField(_("小区路径"), max_length=400, db_index=True)
    response = models.OneToOneField(
        SurveyResponse, on_delete=models.CASCADE, related_name="visit", verbose_name=_("答卷")
    )
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    filled_at = models.DateTimeField(_("填写时间"))

    class Meta:
        verbose_name = _("入户记录")
        verbose_name_plural = verbose_name
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["survey", "household"], name="surveys_one_visit_per_household")]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.household_id}"


class VisitReceipt(models.Model):
    """A client-generated submission UUID already accepted: the same UUID again is answered with the
    stored outcome and changes nothing (so an offline queue may send it any number of times)."""

    key = models.UUIDField(_("提交编号"), primary_key=True)
    visit = models.ForeignKey(HouseholdVisit, on_delete=models.CASCADE, related_name="receipts",
                              verbose_name=_("入户记录"))
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("入户提交回执")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return str(self.key)


class MemberAnswer(models.Model):
    """The answer of one household member to a per-member question (one block per member)."""

    visit = models.ForeignKey(HouseholdVisit, on_delete=models.CASCADE, related_name="member_answers",
                              verbose_name=_("入户记录"))
    resident = models.ForeignKey("households.Resident", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("家庭成员"))
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="member_answers",
                                 verbose_name=_("题目"))
    value = models.JSONField(_("答案"))

    class Meta:
        verbose_name = _("家庭成员答案")
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["visit", "resident", "question"], name="surveys_member_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id}:{self.question_id}"


class VisitPhoto(BaseModel):
    """A photo answer: a JPEG re-encoded on the phone (resized, no EXIF), checked again on the server."""

    visit = models.ForeignKey(HouseholdVisit, on_delete=models.CASCADE, related_name="photos",
                              verbose_name=_("入户记录"))
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+", verbose_name=_("题目"))
    resident = models.ForeignKey("households.Resident", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="+", verbose_name=_("家庭成员"))
    content = models.BinaryField(_("照片"), editable=False)
    width = models.PositiveIntegerField(_("宽度"))
    height = models.PositiveIntegerField(_("高度"))

    class Meta:
        verbose_name = _("入户照片")
        verbose_name_plural = verbose_name
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.public_id)
