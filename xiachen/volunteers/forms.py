"""HTML input of the 双报到 pages (staff and member)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiachen.cadres.models import Specialty
from xiachen.org.models import Unit

from .enums import ContactPreference, MemberKind, PostKind, ProjectStatus
from .models import Activity


class NoEchoInput(forms.TextInput):
    """Never writes the typed value back into the page: a re-shown form must not carry an ID number."""

    def format_value(self, value):
        return None


class PairingForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("报到单位"), queryset=Unit.objects.none())
    community = forms.ModelChoiceField(label=_("报到社区"), queryset=Unit.objects.none())
    started_on = forms.DateField(label=_("报到日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, agencies, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["community"].queryset = communities


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=100)
    owner = forms.CharField(label=_("负责人"), max_length=60)
    schedule = forms.CharField(label=_("时间安排"), max_length=100, required=False,
                               help_text=_("如：每月第一个周六上午"))
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=_("项目内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ProjectMoveForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=ProjectStatus.choices)
    progress_note = forms.CharField(label=_("进展说明"), max_length=200, required=False)


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_("岗位类型"), choices=PostKind.choices)
    title = forms.CharField(label=_("岗位名称"), max_length=100)
    headcount = forms.IntegerField(label=_("需要人数"), min_value=1, max_value=500, initial=1)
    description = forms.CharField(label=_("岗位职责"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["title", "place", "starts_at", "ends_at", "signup_deadline", "headcount", "skills", "min_age",
                  "max_age", "health_requirement", "points_per_hour", "description"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "signup_deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "skills": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class ReviewRecordForm(forms.Form):
    minutes = forms.IntegerField(label=_("认定时长（分钟）"), min_value=1, max_value=1440, required=False)
    rating = forms.TypedChoiceField(label=_("评分"), coerce=int, required=False, empty_value=None,
                                    choices=[("", "—")] + [(i, "★" * i) for i in range(5, 0, -1)])
    comment = forms.CharField(label=_("评语"), max_length=300, required=False)


class CatalogItemForm(forms.Form):
    name = forms.CharField(label=_("兑换物品"), max_length=100)
    points = forms.IntegerField(label=_("所需积分"), min_value=1, max_value=100000)
    stock = forms.IntegerField(label=_("库存"), min_value=0, required=False, help_text=_("不填表示不限"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(label=_("报到身份"), choices=MemberKind.choices, widget=forms.RadioSelect,
                             initial=MemberKind.PARTY_MEMBER)
    agency = forms.ModelChoiceField(label=_("所在单位（在职党员填写）"), queryset=Unit.objects.none(), required=False)
    id_number = forms.CharField(label=_("身份证号（实名核验）"), max_length=30,
                                widget=NoEchoInput(attrs={"autocomplete": "off"}))
    skills = forms.ModelMultipleChoiceField(label=_("专长"), queryset=Specialty.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    available_weekdays = forms.BooleanField(label=_("工作日白天可服务"), required=False)
    available_evenings = forms.BooleanField(label=_("工作日晚上可服务"), required=False, initial=True)
    available_weekends = forms.BooleanField(label=_("周末可服务"), required=False, initial=True)
    contact_preference = forms.ChoiceField(label=_("联系方式偏好"), choices=ContactPreference.choices)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Unit.objects.filter(kind__code__in=["agency", "department"]).order_by("path")


class CallOutForm(forms.Form):
    """应急动员: what is needed, where and when, how many, and by when to reply."""

    area = forms.ModelChoiceField(label=_("动员范围"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("动员事项"), max_length=100)
    need = forms.CharField(label=_("任务需求"), widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label=_("集合地点"), max_length=200)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("结束时间"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reply_deadline = forms.DateTimeField(label=_("回复截止时间"),
                                         widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    headcount = forms.IntegerField(label=_("需要人数"), min_value=1, max_value=1000)
    invite_factor = forms.IntegerField(label=_("邀请倍数"), min_value=1, max_value=10, initial=3,
                                       help_text=_("按匹配度邀请“需要人数 × 倍数”名成员"))
    skills = forms.ModelMultipleChoiceField(label=_("所需专长"), queryset=Specialty.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


class RosterFromCallOutForm(forms.Form):
    shift = forms.ModelChoiceField(label=_("班次"), queryset=Unit.objects.none())

    def __init__(self, *args, shifts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].queryset = shifts
