from django import forms
from django.utils.translation import gettext_lazy as _

from xiachen.core.uploads import check_attachment
from xiachen.org.models import Unit
from xiachen.policies.models import PolicyVersion


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("正文"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    compounds = forms.ModelMultipleChoiceField(
        label=_("发给哪些小区"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple,
        to_field_name="public_id",
    )
    buildings = forms.CharField(
        label=_("楼栋（可选）"), max_length=300, required=False,
        help_text=_("用逗号分隔，如 1,3,5；留空则发给所选小区的全部住户"),
    )
    to_staff = forms.BooleanField(label=_("同时发给在岗下沉干部和社区工作者"), required=False, initial=True)
    policy_version = forms.ModelChoiceField(
        label=_("引用政策版本（可选）"), queryset=PolicyVersion.objects.none(), required=False,
        to_field_name="public_id",
    )
    attachment_title = forms.CharField(label=_("附件标题"), max_length=120, required=False)
    attachment = forms.FileField(label=_("附件"), required=False)

    def clean_attachment(self):
        file = self.cleaned_data.get("attachment")
        if file:
            check_attachment(file)
        return file

    def __init__(self, *args, compounds=None, versions=None, **kwargs):
        super().__init__(*args, **kwargs)
        compound_field, version_field = self.fields["compounds"], self.fields["policy_version"]
        assert isinstance(compound_field, forms.ModelChoiceField) and isinstance(version_field, forms.ModelChoiceField)
        compound_field.queryset = compounds if compounds is not None else Unit.objects.none()
        if versions is not None:
            version_field.queryset = versions


class ChannelPreferenceForm(forms.Form):
    """The user's own channels (of those the deployment offers) and quiet hours."""

    channels = forms.MultipleChoiceField(
        label=_("通过哪些渠道接收"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("站内“消息”总会收到；不勾选则只在站内查看。"),
    )
    quiet_start = forms.TimeField(
        label=_("免打扰开始"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_end = forms.TimeField(
        label=_("免打扰结束"), required=False, widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("免打扰时段内非紧急消息推迟到结束时发送；发热预警等紧急消息照常发送。"
                    "可跨午夜，如 22:00 至 07:00。"),
    )

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        from .enums import Channel

        channels = self.fields["channels"]
        assert isinstance(channels, forms.ChoiceField)
        channels.choices = [(c, Channel(c).label) for c in offered]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None):
            raise forms.ValidationError(_("请同时填写免打扰的开始和结束时间，或都留空"))
        if start is not None and start == end:
            raise forms.ValidationError(_("免打扰的开始和结束时间不能相同"))
        return data
