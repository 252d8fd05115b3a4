"""HTML input of rosters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiachen.core.pickers import PickerField, bind_pickers

from .models import RuleSet, ShiftTemplate


class ShiftTemplateForm(forms.ModelForm):
    class Meta:
        model = ShiftTemplate
        fields = ["code", "name", "start", "length_minutes", "minimum", "preferred", "in_gear"]
        widgets = {"start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class RosterForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))


class RuleSetForm(forms.ModelForm):
    successions = forms.CharField(label=_("禁止的班次衔接"), required=False,
                                  help_text=_("每行一条，如 night>morning（夜班之后次日不得上早班）"),
                                  widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = RuleSet
        fields = [
            "max_consecutive_days", "min_days_off_together", "min_rest_minutes", "max_minutes_per_week",
            "max_days_per_week", "max_minutes_per_period", "max_gear_minutes", "max_weekends",
            "night_fairness_weight", "weekend_fairness_weight",
            "late_grace_minutes", "meal_rate", "night_meal_rate", "transport_rate",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pairs = self.instance.forbidden_successions or []
        self.fields["successions"].initial = "\n".join(f"{a}>{b}" for a, b in pairs)

    def clean_successions(self) -> list:
        pairs = []
        for line in self.cleaned_data["successions"].splitlines():
            if not line.strip():
                continue
            first, sep, then = line.partition(">")
            if not sep or not first.strip() or not then.strip():
                raise forms.ValidationError(_("“%(line)s”格式不对，应为 早班代码>晚班代码") % {"line": line})
            pairs.append([first.strip(), then.strip()])
        return pairs


class RosterCadreForm(forms.Form):
    """One cadre of a roster found by name: the swap partner (`roster-partner`, field "partner") or
    the cadre a manager records something for (`roster-cadre`, field "cadre")."""

    def __init__(self, *args, user, roster, picker: str, name: str, label, auto_id: str, **kwargs):
        super().__init__(*args, auto_id=auto_id, **kwargs)
        self.fields[name] = PickerField(picker, label=label, error_messages={
            "required": _("请选择干部"), "invalid_choice": _("请选择本排班表中的干部")})
        bind_pickers(self, user=user, params={"roster": str(roster.public_id)})


class PostSiteForm(forms.Form):
    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6, min_value=-180, max_value=180)
    radius_m = forms.IntegerField(label=_("签到半径（米）"), min_value=20, max_value=5000, initial=200)
