from django import forms
from django.utils.translation import gettext_lazy as _

from xiachen.core.pickers import PickerField, bind_pickers

from .models import Round


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = ["name", "kind", "start", "end", "max_commute_km", "max_per_agency_per_post", "rotation_window_days"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("结束日期不能早于开始日期"))
        return cleaned


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("婉拒原因"), max_length=200)




class HandEditForm(forms.Form):
    """A cadre picked for a post of a round under review (the picker offers only free cadres)."""

    demand = forms.ModelChoiceField(label=_("岗位"), queryset=None, to_field_name="public_id",
                                    empty_label="—")
    cadre = PickerField("round-cadre", label=_("干部"))

    def __init__(self, *args, user, round_, **kwargs):
        super().__init__(*args, auto_id="assign_%s", **kwargs)
        self.fields["demand"].queryset = round_.demands.select_related("unit", "post_type").order_by("unit_path", "id")
        self.fields["demand"].label_from_instance = lambda d: f"{d.unit.name} · {d.post_type.label}"
        bind_pickers(self, user=user, params={"round": str(round_.public_id)})
