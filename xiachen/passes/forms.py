from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xiachen.core.forms import TimeInput
from xiachen.core.pickers import MultiplePickerField, PickerField, bind_pickers

from .enums import EXEMPT_GROUPS, HELD_ACTIONS
from .rules import DEFAULT_RULES

GROUP_CHOICES = [("", _("无")), *EXEMPT_GROUPS.items()]


class PolicyForm(forms.Form):
    effective_at = forms.DateTimeField(label=_("生效时间"))
    change_note = forms.CharField(label=_("修改说明"), max_length=500)
    out_every_days = forms.IntegerField(
        label=_("每户外出间隔（天）"), min_value=0, max_value=30, initial=DEFAULT_RULES["out_every_days"]
    )
    hours_from = forms.RegexField(label=_("允许外出起"), regex=r"^\d\d:\d\d$", initial="06:00", widget=TimeInput)
    hours_to = forms.RegexField(label=_("允许外出止"), regex=r"^\d\d:\d\d$", initial="22:00", widget=TimeInput)
    visitors_allowed = forms.BooleanField(label=_("允许访客"), required=False)
    fever_threshold = forms.DecimalField(
        label=_("体温阈值（℃）"), min_value=35, max_value=42, decimal_places=1, initial=DEFAULT_RULES["fever_threshold"]
    )
    exempt_groups = forms.MultipleChoiceField(
        label=_("豁免类别"), choices=list(EXEMPT_GROUPS.items()), required=False, widget=forms.CheckboxSelectMultiple
    )
    designated_only = forms.BooleanField(
        label=_("仅限本户指定外出人员"), required=False,
        help_text=_("勾选后，只有住户详情页中指定的外出人员可以外出"),
    )
    max_hours_out = forms.IntegerField(
        label=_("单次外出最长时长（小时）"), min_value=0, max_value=24, initial=0,
        help_text=_("0 为不限；超时返回时准予进入并提示门岗"),
    )
    held_action = forms.ChoiceField(
        label=_("居家隔离 / 健康监测人员外出"), choices=list(HELD_ACTIONS.items()), initial="refuse"
    )

    def rules(self) -> dict:
        data = self.cleaned_data
        return {
            "out_every_days": data["out_every_days"],
            "hours": [data["hours_from"], data["hours_to"]],
            "visitors_allowed": data["visitors_allowed"],
            "fever_threshold": float(data["fever_threshold"]),
            "exempt_groups": data["exempt_groups"],
            "designated_only": data["designated_only"],
            "max_hours_out": data["max_hours_out"],
            "held_action": data["held_action"],
        }


class IssueForm(forms.Form):
    resident = PickerField("pass-resident", label=_("居民"))
    valid_from = forms.DateTimeField(label=_("生效时间"))
    valid_until = forms.DateTimeField(label=_("失效时间"))
    group = forms.ChoiceField(label=_("豁免类别"), choices=GROUP_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user=user)


class RevokeForm(forms.Form):
    """Passes picked by holder (searchable), or pasted as ids for a bulk revocation."""

    picked = MultiplePickerField("revocable-pass", label=_("通行证"), required=False,
                                 help_text=_("输入持证人姓名或住址搜索，可选多张"))
    passes = forms.CharField(label=_("批量吊销：通行证编号（可选，每行一个）"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("原因"), max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user=user)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("picked") and not (cleaned.get("passes") or "").strip():
            self.add_error("picked", _("请选择要吊销的通行证"))
        return cleaned

    def pass_ids(self) -> list[str]:
        picked = [str(card.public_id) for card in self.cleaned_data["picked"]]
        pasted = [line.strip() for line in self.cleaned_data["passes"].split() if line.strip()]
        return list(dict.fromkeys(picked + pasted))[:5000]


class PolicyTargetForm(forms.Form):
    """The unit a policy version is for, found by name (an area is inherited by its communities)."""

    community = PickerField("pass-policy-unit", label=_("适用单位"))

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        bind_pickers(self, user=user)


class KeyCommunityForm(forms.Form):
    """The community whose signing key is rotated, found by name."""

    community = PickerField("pass-key-community", label=_("社区"))

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "key_%s")
        super().__init__(*args, **kwargs)
        bind_pickers(self, user=user)


class ScanFilterForm(forms.Form):
    """The scan log's filter: one gate, found by name among the gates the user may review (a district
    has thousands; a select of them was cut)."""

    gate = PickerField("scan-gate", label=_("门岗"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user=user)
