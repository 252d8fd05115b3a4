"""Excel export of the month's rankings: one row per district, street, community and municipal
department in the user's scope."""

from xiachen.audit import services as audit
from xiachen.core.excel import Percent, build_workbook

from .rates import LEVELS, monthly_rankings

HEADERS = ["级别", "名次", "单位代码", "单位", "工单数", "按时签收", "回访数", "已解决", "满意及基本满意",
           "响应率", "解决率", "满意率", "综合得分", "按时办结率", "督办", "合理退单", "不合理退单", "延期"]


def export_rankings(*, by, year: int, month: int) -> bytes:
    rankings = monthly_rankings(by, year, month)
    rows = [
        _row(level, entry)
        for key, _kinds, level in LEVELS
        for entry in rankings[key]
    ]
    audit.record(actor=by, action="hotline.rates_exported", fields={"month": f"{year}-{month:02d}", "rows": len(rows)})
    return build_workbook(HEADERS, rows, title=f"{year}年{month}月三率排名")


def _rate(rate) -> Percent:
    """A rate as a number with a percent format (sortable in Excel); no data stays an empty cell."""
    return Percent(None if rate is None else float(rate))


def _row(level: str, entry) -> list:
    score = None if entry.score is None else round(float(entry.score) * 100, 1)
    return [
        level, entry.rank or "—", entry.unit.code, entry.unit.name, entry.tickets, entry.responded,
        entry.called_back, entry.resolved, entry.satisfied, _rate(entry.response_rate),
        _rate(entry.resolution_rate), _rate(entry.satisfaction_rate), score, _rate(entry.on_time_rate),
        entry.supervised, entry.returns_approved, entry.returns_rejected, entry.extensions,
    ]
