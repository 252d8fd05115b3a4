from django import forms
from django.utils.translation import gettext_lazy as _

from xiachen.org.models import Unit

from .models import Audience, Question, QuestionKind


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    description = forms.CharField(label=_("说明"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    compounds = forms.ModelMultipleChoiceField(
        label=_("发放小区"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple,
        to_field_name="public_id",
    )
    audience = forms.ChoiceField(label=_("填写方式"), choices=Audience.choices, initial=Audience.RESIDENTS,
                                 widget=forms.RadioSelect)
    anonymous = forms.BooleanField(label=_("匿名问卷（答卷不与居民关联，提交后不能修改）"), required=False)
    closes_at = forms.DateTimeField(label=_("截止时间（可选）"), required=False,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, compounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if compounds is not None:
            self.fields["compounds"].queryset = compounds


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("题型"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("题目"), max_length=300)
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)
    choices = forms.CharField(label=_("选项（每行一个，选择题用）"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    rating_max = forms.IntegerField(label=_("最高分（评分题用）"), min_value=2, max_value=10, initial=5)
    show_if = forms.ModelChoiceField(label=_("仅当此单选题……（可选）"), queryset=Question.objects.none(),
                                     required=False, to_field_name="public_id")
    show_if_value = forms.CharField(label=_("……选了此答案时才显示"), max_length=100, required=False)
    per_member = forms.BooleanField(label=_("每位家庭成员各填一次（入户摸排）"), required=False)
    calculation = forms.CharField(
        label=_("计算公式（计算题用，如 q3 * q4）"), max_length=300, required=False,
        help_text=_("用 q 加题号引用前面的题目；可用 + - * /、比较、and/or/not 和函数 if、min、max、abs、int、"
                    "round、len、selected、count、sum"),
    )
    constraint = forms.CharField(
        label=_("约束条件（可选，如 . >= 0 and . <= 120）"), max_length=300, required=False,
        help_text=_("“.”表示本题的答案；条件不成立时不能提交"),
    )
    constraint_message = forms.CharField(label=_("不满足约束时的提示"), max_length=100, required=False)

    def __init__(self, *args, survey=None, **kwargs):
        super().__init__(*args, **kwargs)
        if survey is not None:
            self.fields["show_if"].queryset = survey.questions.filter(kind=QuestionKind.SINGLE)
