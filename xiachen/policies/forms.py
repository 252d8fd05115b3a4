from django import forms
from django.utils.translation import gettext_lazy as _

from xiachen.core.pickers import PickerField, bind_pickers
from xiachen.core.uploads import check_attachment, without_metadata
from xiachen.org.models import Unit

from .enums import FeedbackStatus
from .models import FeedbackItem

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.ImageField):
    """Several photos in one input; each is checked as an image of at most 5 MB."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = []
        for file in files:
            if file.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(_("照片“%(name)s”超过 5 MB") % {"name": file.name})
            super().clean(file, initial)
            cleaned.append(without_metadata(file))  # no EXIF/GPS kept (core/uploads.py)
        return cleaned


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    issuing_agency = forms.ModelChoiceField(
        label=_("发文单位"), queryset=Unit.objects.none(), to_field_name="public_id"
    )
    document_number = forms.CharField(label=_("文号"), max_length=60, help_text=_("形如 武防指〔2020〕12号"))
    summary = forms.CharField(label=_("摘要"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        issuing_agency = self.fields["issuing_agency"]
        assert isinstance(issuing_agency, forms.ModelChoiceField)
        issuing_agency.queryset = agencies


class _AnsweredFeedbackField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.version.label}：{obj.problem[:60]}"


class VersionForm(forms.Form):
    effective_from = forms.DateField(label=_("生效日期"))
    text = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 10}))
    change_note = forms.CharField(label=_("修订说明"), max_length=300, required=False)
    answers = _AnsweredFeedbackField(
        label=_("本版回应的反馈意见"), queryset=FeedbackItem.objects.none(), required=False, to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    attachment_title = forms.CharField(label=_("附件标题"), max_length=120, required=False)
    attachment = forms.FileField(label=_("附件"), required=False)
    pass_policy = PickerField("pass-policy-version", label=_("关联的社区通行政策（可选）"), required=False)

    def __init__(self, *args, citable, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_pickers(self, user=user)
        answers = self.fields["answers"]
        assert isinstance(answers, forms.ModelMultipleChoiceField)
        answers.queryset = citable

    def clean_attachment(self):
        file = self.cleaned_data.get("attachment")
        if file and file.size > 20 * MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("附件不能超过 100 MB"))
        if file:
            check_attachment(file)
        return file


class FeedbackForm(forms.Form):
    problem = forms.CharField(label=_("问题"), widget=forms.Textarea(attrs={"rows": 4}))
    where_seen = forms.CharField(label=_("发现地点/场景"), max_length=200)
    suggestion = forms.CharField(label=_("建议"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    photos = MultipleImageField(label=_("照片（最多5张）"), required=False)


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("答复结果"), choices=[c for c in FeedbackStatus.choices if c[0] != FeedbackStatus.OPEN]
    )
    answer = forms.CharField(label=_("答复内容 / 理由"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    planned_version = forms.CharField(label=_("将修订的版本（采纳时必填）"), max_length=120, required=False)


class HolidayForm(forms.Form):
    day = forms.DateField(label=_("日期"))
    name = forms.CharField(label=_("名称"), max_length=40)
    is_workday = forms.BooleanField(label=_("调休上班"), required=False)
