from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Round


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = ["name", "kind", "start", "end", "max_commute_km", "max_per_agency_per_post", "rotation_window_days"]
        widgets = {"start": forms.DateInput(attrs={"type": "date"}), "end": forms.DateInput(attrs={"type": "date"})}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("结束日期不能早于开始日期"))
        return cleaned


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("婉拒原因"), max_length=200)


