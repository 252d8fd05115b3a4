from django import forms
from django.utils.translation import gettext_lazy as _


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(label=_("GeoJSON 文件"))
    match = forms.ChoiceField(label=_("按什么对应单位"), choices=[("code", _("单位代码")), ("name", _("单位名称"))],
                              initial="code")
    key = forms.CharField(label=_("要素属性名"), max_length=40, required=False,
                          help_text=_("要素 properties 中存放单位代码或名称的属性名，默认 code 或 name"))
