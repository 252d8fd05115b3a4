"""Searchable picker of the policy-version form: the community pass policy a document version is
linked to, chosen by community and version rather than typed as an internal id."""

from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.core.pickers import Option, Picker, register, unit_trails
from xiachen.passes.models import PolicyVersion


def pass_policy_label(version: PolicyVersion) -> str:
    return _("%(community)s 通行政策 v%(number)s") % {"community": version.community.name, "number": version.number}


def _search(versions: QuerySet, text: str) -> QuerySet:
    number = text.lower().removeprefix("v")
    condition = Q(community__name__icontains=text)
    if number.isdigit():
        condition |= Q(number=int(number))
    return versions.filter(condition)


def _describe(versions: list) -> list[Option]:
    trails = unit_trails(version.community for version in versions)
    return [
        Option(
            value=str(version.public_id),
            label=pass_policy_label(version),
            detail=_("%(trail)s · %(when)s 生效") % {
                "trail": trails[version.community_id],
                "when": formats.date_format(timezone.localtime(version.effective_at), "SHORT_DATE_FORMAT"),
            },
        )
        for version in versions
    ]


register(Picker(
    name="pass-policy-version",
    permission="policies.manage_documents",
    # Pass policies are public rules of each community; any of them may be cited by a document.
    choices=lambda user, params: PolicyVersion.objects.select_related("community").order_by("community_path",
                                                                                              "-number"),
    search=_search,
    describe=_describe,
    placeholder=gettext_lazy("输入社区名称或版本号，如 v3"),
))
