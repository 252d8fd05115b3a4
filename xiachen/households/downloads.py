"""The household register as a background export (xiachen.downloads)."""

from django.utils.translation import gettext_lazy as _

from xiachen.downloads.enums import DownloadKindCode
from xiachen.downloads.registry import DownloadKind, register

from .exports import export_households
from .models import Resident
from .selectors import search_households

FILTERS = ("q", "compound", "vulnerability")


def _households(user, params: dict):
    return search_households(user, query=params.get("q", ""), compound=params.get("compound", ""),
                             vulnerability=params.get("vulnerability", ""))


def count_rows(user, params: dict) -> int:
    """One row per resident of the households the filters select (what the workbook lists)."""
    return Resident.objects.filter(household__in=_households(user, params).order_by().values("pk")).count()


def build(*, by, params: dict, full: bool, progress) -> bytes:
    progress(10, _("正在读取住户与居民"))
    return export_households(by=by, households=_households(by, params), full=full)


HOUSEHOLDS = DownloadKind(
    code=DownloadKindCode.HOUSEHOLDS, filename="households.xlsx", permission="households.view",
    full_permission="households.export_full", count=count_rows, build=build, back_url="households:list",
)
register(HOUSEHOLDS)
