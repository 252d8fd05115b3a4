from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HolidayImportForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    source = forms.CharField(label=_("依据"), max_length=200,
                             help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）"))
    file = forms.FileField(
        label=_("节假日文件"), help_text=_("用下方模板填写的 .xlsx，或含“日期、名称、类型”三列的 .csv")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year + 1
