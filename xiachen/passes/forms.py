from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import EXEMPT_GROUPS
from .rules import DEFAULT_RULES

GROUP_CHOICES = [("", _("无")), *EXEMPT_GROUPS.items()]


class PolicyForm(forms.Form):
    effective_at = forms.DateTimeField(label=_("生效时间"))
    change_note = forms.CharField(label=_("修改说明"), max_length=500)
    out_every_days = forms.IntegerField(
        label=_("每户外出间隔（天）"), min_value=0, max_value=30, initial=DEFAULT_RULES["out_every_days"]
    )
    hours_from = forms.RegexField(label=_("允许外出起"), regex=r"^\d\d:\d\d$", initial="06:00")
    hours_to = forms.RegexField(label=_("允许外出止"), regex=r"^\d\d:\d\d$", initial="22:00")
    visitors_allowed = forms.BooleanField(label=_("允许访客"), required=False)
    fever_threshold = forms.DecimalField(
        label=_("体温阈值（℃）"), min_value=35, max_value=42, decimal_places=1, initial=DEFAULT_RULES["fever_threshold"]
    )
    exempt_groups = forms.MultipleChoiceField(
        label=_("豁免类别"), choices=list(EXEMPT_GROUPS.items()), required=False, widget=forms.CheckboxSelectMultiple
    )

    def rules(self) -> dict:
        data = self.cleaned_data
        return {
            "out_every_days": data["out_every_days"],
            "hours": [data["hours_from"], data["hours_to"]],
            "visitors_allowed": data["visitors_allowed"],
            "fever_threshold": float(data["fever_threshold"]),
            "exempt_groups": data["exempt_groups"],
        }


class IssueForm(forms.Form):
    resident = forms.UUIDField(label=_("居民编号"))
    valid_from = forms.DateTimeField(label=_("生效时间"))
    valid_until = forms.DateTimeField(label=_("失效时间"))
    group = forms.ChoiceField(label=_("豁免类别"), choices=GROUP_CHOICES, required=False)


class RevokeForm(forms.Form):
    passes = forms.CharField(label=_("通行证编号（每行一个）"), widget=forms.Textarea)
    reason = forms.CharField(label=_("原因"), max_length=300)

    def pass_ids(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["passes"].split() if line.strip()][:5000]
