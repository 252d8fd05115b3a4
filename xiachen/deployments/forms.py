"""HTML input of demands and affinity weights; the rules themselves live in demand_services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import Hazard
from .models import Demand
from .selectors import receiving_units_for

POST_TYPE_DEFAULT = _("按岗位类型默认")
SKILLS_FALLBACK = _("留空则按所选岗位类型的默认专长匹配")
MEDICAL_CHOICES = [("", POST_TYPE_DEFAULT), ("yes", _("是")), ("no", _("否"))]


class DemandForm(forms.ModelForm):
    hazard = forms.TypedChoiceField(
        label=_("风险等级"),
        choices=[("", POST_TYPE_DEFAULT), *Hazard.choices],
        required=False,
        empty_value=None,
        help_text=_("决定防护用品；健康状况受限的干部不安排到高风险岗位"),
    )
    headcount = forms.IntegerField(label=_("人数"), min_value=1, max_value=999)
    daily_hours = forms.DecimalField(
        label=_("每日工作时长"), min_value=1, max_value=24, decimal_places=1, initial=8,
        widget=forms.NumberInput(attrs={"step": "0.5"}),
    )
    needs_medical = forms.TypedChoiceField(
        label=_("需要至少一名医护背景干部"),
        choices=MEDICAL_CHOICES,
        required=False,
        coerce=lambda value: value == "yes",
        empty_value=None,
    )

    class Meta:
        model = Demand
        fields = [
            "unit", "post_type", "must_have_any", "nice_to_have", "preferred_agency_kinds", "headcount",
            "start", "end", "daily_hours", "latitude", "longitude", "notes",
        ]
        widgets = {
            "must_have_any": forms.CheckboxSelectMultiple,
            "nice_to_have": forms.CheckboxSelectMultiple,
            "preferred_agency_kinds": forms.CheckboxSelectMultiple,
            "start": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "end": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "must_have_any": _("具备其中任一专长的干部才可匹配。") + SKILLS_FALLBACK,
            "nice_to_have": _("具备这些专长的干部优先。") + SKILLS_FALLBACK,
            "preferred_agency_kinds": _("这些类型单位的干部匹配度加分"),
            "latitude": _("留空则使用接收单位的位置"),
            "longitude": _("留空则使用接收单位的位置"),
            "notes": _("请勿填写身份证号、手机号等个人信息"),
        }

    field_order = [
        "unit", "post_type", "headcount", "start", "end", "daily_hours", "must_have_any", "nice_to_have",
        "preferred_agency_kinds", "hazard", "needs_medical", "latitude", "longitude", "notes",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = receiving_units_for(user)
        if self.instance.pk:
            self.initial["hazard"] = self.instance.hazard
            self.initial["needs_medical"] = "yes" if self.instance.needs_medical else "no"

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("结束日期不能早于开始日期"))
        return cleaned

    def service_values(self) -> dict:
        """The cleaned values as keyword arguments of create_demand / update_demand."""
        return {name: self.cleaned_data[name] for name in self.field_order}


class AffinityForm(forms.Form):
    weight = forms.IntegerField(
        label=_("匹配度"),
        min_value=0,
        max_value=100,
        error_messages={
            "required": _("匹配度应为 0 到 100 之间的整数"),
            "invalid": _("匹配度应为 0 到 100 之间的整数"),
            "min_value": _("匹配度应为 0 到 100 之间的整数"),
            "max_value": _("匹配度应为 0 到 100 之间的整数"),
        },
    )
