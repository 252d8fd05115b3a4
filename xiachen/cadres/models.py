"""Cadre profiles: who an agency can send, with what expertise, from where, and when."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiachen.core.fields import BlindIndexField, EncryptedTextField
from xiachen.core.models import BaseModel, MaskedContactMixin, Vocabulary

from .enums import AvailabilityKind, Rank, Sex


class Specialty(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("专长")
        verbose_name_plural = _("专长")


class Cadre(MaskedContactMixin, BaseModel):
    user = models.OneToOneField("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="cadre")
    # Bumped when the cadre resets their calendar subscription: links signed for an older
    # version stop working (rosters/tokens.py).
    calendar_feed_version = models.PositiveIntegerField(default=1, editable=False)
    name = models.CharField(_("姓名"), max_length=60)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    agency = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="cadres", verbose_name=_("派出单位"))
    department = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="department_cadres",
        verbose_name=_("内设机构"),
    )
    agency_path = models.CharField(max_length=400, db_index=True, editable=False)
    rank = models.PositiveSmallIntegerField(_("职级"), choices=Rank.choices, default=Rank.CLERK)
    position = models.CharField(_("职务"), max_length=60, blank=True)
    specialties = models.ManyToManyField(Specialty, blank=True, related_name="cadres", verbose_name=_("专长"))
    phone = EncryptedTextField(_("手机号"))
    phone_index = BlindIndexField(source="phone", purpose="phone")
    id_number = EncryptedTextField(_("身份证号"))
    id_number_index = BlindIndexField(source="id_number", purpose="id_number", unique=True)
    home_address = models.CharField(_("家庭住址"), max_length=200, blank=True)
    home_latitude = models.DecimalField(_("住址纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    home_longitude = models.DecimalField(_("住址经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    health_restrictions = models.CharField(_("健康限制"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在职"), default=True)

    class Meta:
        ordering = ["agency_path", "name", "id"]
        verbose_name = _("干部")
        verbose_name_plural = _("干部")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.agency_path = self.agency.path
        super().save(*args, **kwargs)


class Certification(BaseModel):
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="certifications")
    name = models.CharField(_("证书名称"), max_length=100)
    issuer = models.CharField(_("发证机关"), max_length=100, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("资格证书")
        verbose_name_plural = _("资格证书")

    def __str__(self) -> str:
        return self.name


class AvailabilityPeriod(BaseModel):
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="availability")
    kind = models.CharField(_("类型"), max_length=20, choices=AvailabilityKind.choices)
    start = models.DateField(_("开始"))
    end = models.DateField(_("结束"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("可下沉时段")
        verbose_name_plural = _("可下沉时段")
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="cadres_period_order")
        ]

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"


class ServiceRecord(BaseModel):
    """One past deployment: the experience record that feeds rotation and assessment."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="service_records")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("接收单位"))
    post = models.CharField(_("岗位"), max_length=80)
    start = models.DateField(_("开始"))
    end = models.DateField(_("结束"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-start"]
        verbose_name = _("下沉经历")
        verbose_name_plural = _("下沉经历")

    def __str__(self) -> str:
        return f"{self.unit} {self.post}"
