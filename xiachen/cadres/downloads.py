"""The cadre register as a background export (xiachen.downloads)."""

from django.utils.translation import gettext_lazy as _

from xiachen.downloads.enums import DownloadKindCode
from xiachen.downloads.registry import DownloadKind, register

from .exports import export_cadres
from .selectors import search_cadres

FILTERS = ("q", "agency", "specialty", "rank")


def cadres_for(user, params: dict):
    rank = params.get("rank", "")
    return search_cadres(user, query=params.get("q", ""), agency=params.get("agency", ""),
                         specialty=params.get("specialty", ""), rank=int(rank) if rank.isdigit() else None)


def count_rows(user, params: dict) -> int:
    return cadres_for(user, params).count()


def build(*, by, params: dict, full: bool, progress) -> bytes:
    progress(10, _("正在读取干部名册"))
    return export_cadres(by=by, cadres=cadres_for(by, params), full=full)


CADRES = DownloadKind(
    code=DownloadKindCode.CADRES, filename="cadres.xlsx", permission="cadres.view",
    full_permission="cadres.export_full", count=count_rows, build=build, back_url="cadres:list",
)
register(CADRES)
