"""Codes the identity app records in the audit trail, with the Chinese the trail shows for them."""

from django.utils.translation import gettext_lazy as _

SIGN_IN_REASONS = {
    "unknown_user": _("本系统无此用户"),
    "username_taken": _("用户名已被本系统其他账号使用"),
    "no_username": _("身份信息中没有用户名"),
    "privileged_account": _("特权账号不与外部身份关联"),
    "inactive": _("账号已停用"),
    "locked_out": _("账号已被锁定"),
    "provider_error": _("统一身份认证平台返回错误"),
    "invalid_callback": _("登录回调无效或已使用"),
    "provider_unreachable": _("无法连接统一身份认证平台"),
    "invalid_response": _("统一身份认证平台的应答无效"),
}

SECOND_FACTORS = {
    "idp": _("统一身份认证平台的多因素认证"),
    "totp": _("本系统动态验证码"),
}
