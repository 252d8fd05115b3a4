from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from xiachen.core.forms import PersonNameField


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("用户名或密码不正确。"),
    }


class TotpForm(forms.Form):
    otp_token = forms.RegexField(
        label=_("6位验证码"),
        regex=r"^\d{6}$",
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"invalid": _("请输入6位数字验证码")},
    )


class AccountForm(forms.Form):
    """New account: the username is fixed once created; the name is what others see."""

    username = forms.RegexField(
        label=_("用户名"), regex=r"^[A-Za-z0-9_.@+-]{3,150}$", max_length=150,
        help_text=_("3–150位字母、数字或 _ . @ + -，登录时使用，创建后不能修改"),
        error_messages={"invalid": _("用户名只能包含字母、数字和 _ . @ + -，至少3位")},
    )
    display_name = PersonNameField(label=_("姓名"), max_length=60)
    email = forms.EmailField(label=_("电子邮箱"), required=False)


class AccountEditForm(forms.Form):
    display_name = PersonNameField(label=_("姓名"), max_length=60)
    email = forms.EmailField(label=_("电子邮箱"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class RoleAssignForm(forms.Form):
    """A role and the unit it applies to; the unit comes from the searchable picker (its public id)."""

    role = forms.ChoiceField(label=_("角色"))
    unit = forms.UUIDField(
        label=_("单位"), error_messages={"required": _("请搜索并选择单位"), "invalid": _("请搜索并选择单位")}
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", _("请选择角色")), *((role.value, role.label) for role in roles)]


class NewPasswordForm(forms.Form):
    new_password1 = forms.CharField(
        label=_("新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少10位，不能过于简单，不能与用户名相近"),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("new_password1") != cleaned.get("new_password2"):
            self.add_error("new_password2", _("两次输入的密码不一致"))
        return cleaned
