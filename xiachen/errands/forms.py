from django import forms
from django.utils.translation import gettext_lazy as _

from xiachen.core.pickers import PickerField, bind_pickers

from .enums import EpisodeKind, ErrandKind, SupportKind


class StaffErrandForm(forms.Form):
    household = PickerField("errand-household", label=_("住户"))
    kind = forms.ChoiceField(label=_("类型"), choices=ErrandKind.choices)
    details = forms.CharField(label=_("需求说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    prescription_note = forms.CharField(label=_("处方说明"), max_length=300, required=False)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user=user)


class AssignForm(forms.Form):
    """指派: one of the people on duty where the errand is, found by name or agency."""

    assignee = PickerField("errand-assignee", label=_("指派给"),
                           error_messages={"required": _("请选择办理人"), "invalid_choice": _("请选择当班的办理人")})

    def __init__(self, *args, user, errand, **kwargs):
        kwargs["auto_id"] = "assign_%s"
        super().__init__(*args, **kwargs)
        bind_pickers(self, user=user, params={"errand": str(errand.public_id)})


class DeliverForm(forms.Form):
    cost = forms.DecimalField(label=_("费用（元）"), min_value=0, max_digits=8, decimal_places=2, required=False)
    payment_note = forms.CharField(label=_("付款说明"), max_length=200, required=False)


class EpisodeForm(forms.Form):
    resident = PickerField("quarantine-resident", label=_("居民"))
    kind = forms.ChoiceField(label=_("类型"), choices=EpisodeKind.choices)
    start = forms.DateField(label=_("开始日期"))
    planned_end = forms.DateField(
        label=_("计划结束日期"), required=False, help_text=_("不填则按本社区该类型的默认天数计算")
    )
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user=user)


class ExtendForm(forms.Form):
    new_end = forms.DateField(label=_("新的结束日期"))
    reason = forms.CharField(label=_("原因"), max_length=200)


class StaffHealthForm(forms.Form):
    temperature = forms.DecimalField(label=_("体温（℃）"), min_value=34, max_value=43, decimal_places=1)
    symptoms = forms.CharField(label=_("症状"), max_length=200, required=False)


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("方式"), choices=SupportKind.choices)
    scheduled_for = forms.DateField(label=_("计划日期"))


class EpisodeLengthForm(forms.Form):
    home_quarantine = forms.IntegerField(label=_("居家隔离默认天数"), min_value=1, max_value=60)
    health_monitoring = forms.IntegerField(label=_("健康监测默认天数"), min_value=1, max_value=60)
