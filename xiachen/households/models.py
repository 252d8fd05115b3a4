"""Households and residents of the compounds, with vulnerability flags for support lists."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiachen.cadres.enums import Sex
from xiachen.core.fields import BlindIndexField, EncryptedTextField
from xiachen.core.models import BaseModel, MaskedContactMixin, Vocabulary

from .enums import Relation


class Vulnerability(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("困难类型")
        verbose_name_plural = _("困难类型")


class Household(BaseModel):
    compound = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="households", verbose_name=_("小区")
    )
    compound_path = models.CharField(max_length=400, db_index=True, editable=False)
    building = models.CharField(_("楼栋"), max_length=20)
    entrance = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("房号"), max_length=20)
    # 指定外出人员: under a pass policy with "designated member only", the one member who may go out.
    outing_member = models.ForeignKey(
        "Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("指定外出人员")
    )
    member_count: int  # not a column: set on a page of households by selectors.with_member_counts

    class Meta:
        ordering = ["compound_path", "building", "entrance", "room"]
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "building", "entrance", "room"], name="households_address_unique"
            )
        ]
        # The list's keyset order (selectors.HOUSEHOLD_ORDER): a page is one index range read.
        indexes = [
            models.Index(fields=["compound_path", "building", "entrance", "room", "id"], name="households_list_order")
        ]

    def __str__(self) -> str:
        return self.address_label

    def save(self, *args, **kwargs):
        self.compound_path = self.compound.path
        super().save(*args, **kwargs)

    @property
    def address_label(self) -> str:
        entrance = f"{self.entrance}单元" if self.entrance else ""
        return f"{self.building}栋{entrance}{self.room}室"


class Resident(MaskedContactMixin, BaseModel):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="residents")
    compound_path = models.CharField(max_length=400, db_index=True, editable=False)
    name = models.CharField(_("姓名"), max_length=60)
    relation = models.CharField(_("与户主关系"), max_length=20, choices=Relation.choices)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_index = BlindIndexField(source="phone", purpose="phone")
    id_number = EncryptedTextField(_("身份证号"))
    id_number_index = BlindIndexField(source="id_number", purpose="id_number", unique=True)
    vulnerabilities = models.ManyToManyField(
        Vulnerability, blank=True, related_name="residents", verbose_name=_("困难类型")
    )
    user = models.OneToOneField(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="resident"
    )

    class Meta:
        ordering = ["household_id", "id"]
        verbose_name = _("居民")
        verbose_name_plural = _("居民")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.compound_path = self.household.compound_path
        super().save(*args, **kwargs)
