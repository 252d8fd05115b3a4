from django import forms
from django.utils.translation import gettext_lazy as _

from xiachen.errands.enums import ErrandKind, TravelMode


class NoEchoInput(forms.TextInput):
    """Never writes the typed value back into the page: a re-shown form must not carry a phone number."""

    def format_value(self, value):
        return None


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("手机号"), max_length=20, widget=NoEchoInput(
        attrs={"inputmode": "numeric", "autocomplete": "tel", "placeholder": _("请输入登记的手机号")}
    ))


class CodeForm(forms.Form):
    code = forms.RegexField(label=_("验证码"), regex=r"^\s*\d{6}\s*$", error_messages={
        "invalid": _("验证码为6位数字"), "required": _("请输入验证码"),
    }, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}))


class ErrandForm(forms.Form):
    kind = forms.ChoiceField(label=_("需要什么帮助"), choices=ErrandKind.choices)
    details = forms.CharField(label=_("需求说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    prescription_note = forms.CharField(label=_("处方说明（代购药品时填写）"), max_length=300, required=False)
    household = forms.UUIDField(widget=forms.HiddenInput)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评分"), coerce=int, choices=[(i, "★" * i) for i in range(5, 0, -1)], required=False, empty_value=None
    )
    comment = forms.CharField(label=_("评价"), max_length=300, required=False)


class ReturnForm(forms.Form):
    origin = forms.CharField(label=_("从何处返回"), max_length=100)
    arrived_on = forms.DateField(label=_("返回日期"), widget=forms.DateInput(attrs={"type": "date"}))
    travel_mode = forms.ChoiceField(label=_("交通方式"), choices=TravelMode.choices)
    travel_detail = forms.CharField(label=_("车次 / 航班 / 车牌等"), max_length=100, required=False)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)


class HealthReportForm(forms.Form):
    temperature = forms.DecimalField(label=_("体温（℃）"), min_value=34, max_value=43, decimal_places=1)
    symptoms = forms.CharField(label=_("症状（无则不填）"), max_length=200, required=False)
