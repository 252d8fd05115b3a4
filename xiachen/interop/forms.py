from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiachen.accounts.enums import Role
from xiachen.core.pickers import MultiplePickerField, PickerField

from .enums import TOKEN_ROLES, EventType, Scope


class TokenForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60, help_text=_("对接系统的名称，如“区12345平台”"))
    role = forms.ChoiceField(label=_("角色"), choices=[(r, Role(r).label) for r in TOKEN_ROLES],
                             help_text=_("令牌以该角色在所选单位内办理；组织部、系统管理员、审计管理员和居民角色不能用于令牌"))
    units = MultiplePickerField("interop-unit", label=_("适用单位"))
    scopes = forms.MultipleChoiceField(label=_("权限范围"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple,
                                       help_text=_("只取角色本身具有的权限；令牌从不能查看完整身份证号和手机号"))
    expires_on = forms.DateField(label=_("到期日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + timedelta(days=365)


class EndpointForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    url = forms.URLField(label=_("接收地址"), max_length=400, assume_scheme="https")
    unit = PickerField("interop-unit", label=_("适用单位"), help_text=_("只推送发生在该单位及其下级的事件"))
    event_types = forms.MultipleChoiceField(label=_("订阅事件"), widget=forms.CheckboxSelectMultiple,
                                            choices=[c for c in EventType.choices if c[0] != EventType.PING])
