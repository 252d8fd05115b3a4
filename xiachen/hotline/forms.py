from django import forms
from django.utils.translation import gettext_lazy as _

from xiachen.cadres.models import Cadre
from xiachen.core.forms import PersonNameField
from xiachen.core.masking import mask_name
from xiachen.core.models import Holiday
from xiachen.core.pickers import PickerField, bind_pickers

from .enums import Urgency
from .models import Category, WorkingCalendar
from .selectors import complaint_cadre_choices


class TicketForm(forms.Form):
    caller_name = PersonNameField(label=_("来电人"), max_length=60)
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


class TransferForm(forms.Form):
    """申请转办: the unit asked to take the ticket over (found by name among the valid targets), and why."""

    unit = PickerField("hotline-transfer-unit", label=_("申请转办至"), error_messages={
        "required": _("请选择转办单位"), "invalid_choice": _("请选择可以转办的单位")})

    def __init__(self, *args, user, ticket, **kwargs):
        super().__init__(*args, auto_id="transfer_%s", **kwargs)
        bind_pickers(self, user=user, params={"ticket": str(ticket.public_id)})


class RuleForm(forms.Form):
    """A routing rule's area (none: the whole city) and the unit it sends the category to, found by name."""

    area = PickerField("hotline-rule-area", label=_("范围"), required=False)
    unit = PickerField("hotline-rule-unit", label=_("承办单位"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, auto_id="rule_%s", **kwargs)
        bind_pickers(self, user=user)


class ExtensionForm(forms.Form):
    """延期: the date and time asked for, and why."""

    until = forms.DateTimeField(label=_("申请延期至"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                error_messages={"required": _("请填写“申请延期至”的日期和时间"),
                                                "invalid": _("“申请延期至”不是有效的日期和时间")})
    reason = forms.CharField(label=_("延期理由"), required=False, max_length=500)

    def error_text(self) -> str:
        return "；".join(error for errors in self.errors.values() for error in errors)


class CadreChoiceField(forms.ModelChoiceField):
    """A cadre as a resident may see them: masked name and sending agency."""

    def label_from_instance(self, obj) -> str:
        return f"{mask_name(obj.name)}（{obj.agency.name}）"


class ResidentTicketForm(forms.Form):
    category = forms.ModelChoiceField(label=_("诉求分类"), queryset=Category.objects.all(), to_field_name="code")
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL)
    description = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 4}))
    cadre = CadreChoiceField(label=_("被投诉的下沉干部（投诉工作人员时可选）"), queryset=Cadre.objects.none(),
                             required=False, to_field_name="public_id", empty_label=_("不指明"))

    def __init__(self, *args, resident, **kwargs):
        super().__init__(*args, **kwargs)
        choices = complaint_cadre_choices(resident)
        if choices.exists():
            self.fields["cadre"].queryset = choices
        else:
            del self.fields["cadre"]  # nobody served here: nothing to name

    def clean(self):
        cleaned = super().clean()
        category, cadre = cleaned.get("category"), cleaned.get("cadre")
        if cadre is not None and category is not None and category.code != "staff_complaint":
            self.add_error("cadre", _("只有“工作人员投诉”可以指明被投诉干部"))
        return cleaned


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name_zh", "deadline_amount", "deadline_unit", "urgent_deadline_hours", "response_clock"]


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
