from django import forms
from django.utils.translation import gettext_lazy as _

from xiachen.core.models import Holiday
from xiachen.core.pickers import PickerField, bind_pickers

from .enums import Urgency
from .models import Category, WorkingCalendar


class TicketForm(forms.Form):
    caller_name = forms.CharField(label=_("来电人"), max_length=60)
    caller_phone = forms.CharField(label=_("联系电话"), max_length=20)
    place = PickerField("hotline-place", label=_("所在小区/社区"))
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    category = forms.ModelChoiceField(label=_("诉求分类"), queryset=Category.objects.all(), to_field_name="code")
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    description = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user=user)


class RouteForm(forms.Form):
    """Where the operator dispatches a ticket: any unit they may route to, found by name."""

    unit = PickerField("hotline-route-unit", label=_("派单至"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, auto_id="route_%s", **kwargs)
        bind_pickers(self, user=user)


class ResidentTicketForm(forms.Form):
    category = forms.ModelChoiceField(label=_("诉求分类"), queryset=Category.objects.all(), to_field_name="code")
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    description = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 4}))


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name_zh", "deadline_amount", "deadline_unit", "urgent_deadline_hours"]


class CalendarForm(forms.ModelForm):
    class Meta:
        model = WorkingCalendar
        fields = ["day_start", "day_end", "workdays", "response_minutes", "reminder_minutes", "reminder_percent"]

    def clean_workdays(self) -> str:
        days = "".join(sorted(set(self.cleaned_data["workdays"])))
        if not days or any(day not in "1234567" for day in days):
            raise forms.ValidationError(_("工作日请填写 1–7 的数字，如 12345"))
        return days

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("day_start"), cleaned.get("day_end")
        if start and end and end <= start:
            raise forms.ValidationError(_("下班时间必须晚于上班时间"))
        return cleaned


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name", "is_workday"]
