from django import forms
from django.utils.translation import gettext_lazy as _

from .labels import action_choices


class AuditFilterForm(forms.Form):
    """The auditor's filters; the unit comes from the searchable picker as a public id."""

    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    target_type = forms.ChoiceField(label=_("对象类型"), required=False)
    action = forms.ChoiceField(label=_("操作"), required=False)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150,
                            widget=forms.TextInput(attrs={"type": "search", "placeholder": _("用户名或姓名")}))
    unit = forms.UUIDField(required=False)

    def __init__(self, *args, target_types, **kwargs):
        super().__init__(*args, **kwargs)
        target_type, action = self.fields["target_type"], self.fields["action"]
        assert isinstance(target_type, forms.ChoiceField) and isinstance(action, forms.ChoiceField)
        target_type.choices = [("", _("全部")), *target_types]
        action.choices = [("", _("全部")), *action_choices()]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return cleaned
