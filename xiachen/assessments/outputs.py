"""Excel and PDF outputs: reports per round / agency / receiving unit (with charts), certificates,
and each cadre's service and grade for the home agency's annual assessment.

Charts: openpyxl bar charts in Excel; server-rendered HTML bars in the PDF (ECharts is not vendored).
No phone or ID number ever appears. Each export leaves one audit row with counts only.
"""

import io
from collections import Counter
from decimal import Decimal

import openpyxl
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from xiachen.audit import services as audit
from xiachen.cadres.models import ServiceRecord
from xiachen.core.excel import build_workbook, escape_cell
from xiachen.deployments.enums import MatchStatus
from xiachen.deployments.models import Match, Round

from .models import CommendationEntry, Dimension, Grade, Score

REPORT_HEADERS = ["全市排名", "单位内排名", "姓名", "派出单位", "综合得分", "等次", "计分方案"]
ANNUAL_HEADERS = ["姓名", "内设机构", "轮次", "接收单位", "岗位", "期间", "综合得分", "等次", "单位内排名", "全市排名"]
NO_DATA = "无数据"


def report_scores(round_: Round, unit=None) -> QuerySet[Score]:
    scores = Score.objects.filter(round=round_).select_related("cadre__agency", "grade", "scheme")
    if unit is not None and unit.kind.code == "agency":
        scores = scores.filter(agency_path__startswith=unit.path)
    elif unit is not None:
        served = Match.objects.filter(round=OuterRef("round"), cadre=OuterRef("cadre"), status=MatchStatus.ARRIVED,
                                      demand__unit_path__startswith=unit.path)
        scores = scores.filter(Exists(served))
    return scores.order_by("rank_city", "cadre__name", "pk")


def report_data(round_: Round, unit=None) -> dict:
    scores = list(report_scores(round_, unit))
    grade_counts = Counter(s.grade.code for s in scores if s.grade_id)
    grades = [(g.label, grade_counts.get(g.code, 0)) for g in Grade.objects.order_by("-min_score")]
    dimension_points: dict[str, list[Decimal]] = {}
    for score in scores:
        for row in score.breakdown:
            if row["component"].startswith("dim:") and row["points"] is not None:
                dimension_points.setdefault(row["component"], []).append(Decimal(row["points"]))
    dimensions = []
    for dimension in Dimension.objects.all():
        values = dimension_points.get(f"dim:{dimension.code}", [])
        average = (sum(values) / len(values)).quantize(Decimal("0.01")) if values else None
        dimensions.append((dimension.name_zh, average))
    totals = [s.total for s in scores if s.total is not None]
    return {
        "round": round_, "unit": unit, "scores": scores, "grades": grades, "dimensions": dimensions,
        "average": (sum(totals) / len(totals)).quantize(Decimal("0.01")) if totals else None,
        "rows": [_report_row(s) for s in scores],
        "title": f"{round_.name} 考核报告" + (f"（{unit.name}）" if unit else "（全市）"),
    }


def _report_row(score: Score) -> list:
    return [score.rank_city or "", score.rank_agency or "", score.cadre.name, score.cadre.agency.name,
            float(score.total) if score.total is not None else NO_DATA,
            score.grade.name_zh if score.grade_id else "未评定", f"第{score.scheme.version}版"]


def _no_progress(_percent: int, _note: str) -> None:
    pass


def report_xlsx(*, by, round_: Round, unit=None, progress=_no_progress) -> bytes:
    with translation.override("zh-hans"):
        data = report_data(round_, unit)
    progress(40, _("正在绘制图表"))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "得分排名"
    _table(sheet, REPORT_HEADERS, data["rows"])
    _chart_sheet(workbook, "等次分布", ["等次", "人数"], data["grades"], "等次分布", "人数")
    dims = [(name, float(v) if v is not None else 0) for name, v in data["dimensions"]]
    _chart_sheet(workbook, "维度均分", ["维度", "平均分"], dims, "各维度平均分", "平均分")
    progress(80, _("正在保存 Excel"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    _audit_export(by, round_, unit, "xlsx", len(data["rows"]))
    return buffer.getvalue()


def _table(sheet, headers, rows) -> None:
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([escape_cell(value) for value in row])
    sheet.freeze_panes = "A2"


def _chart_sheet(workbook, title, headers, rows, chart_title, axis_title) -> None:
    sheet = workbook.create_sheet(title)
    _table(sheet, headers, rows)
    chart = BarChart()
    chart.title, chart.y_axis.title = chart_title, axis_title
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=len(rows) + 1), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(rows) + 1))
    sheet.add_chart(chart, "D2")


def report_pdf(*, by, round_: Round, unit=None, progress=_no_progress) -> bytes:
    with translation.override("zh-hans"):
        data = report_data(round_, unit)
        progress(30, _("正在排版"))
        peak = max([count for _label, count in data["grades"]] + [1])
        data["grade_bars"] = [(label, count, round(count * 100 / peak)) for label, count in data["grades"]]
        data["dimension_bars"] = [(name, value, float(value) if value is not None else 0)
                                  for name, value in data["dimensions"]]
        data["issued_on"] = _chinese_date(timezone.localdate())
        html = render_to_string("assessments/report_pdf.html", data)
    progress(60, _("正在生成 PDF（含中文字体）"))
    content = _pdf(html)
    _audit_export(by, round_, unit, "pdf", len(data["rows"]))
    return content


def certificate_pdf(*, by, entry: CommendationEntry) -> bytes:
    with translation.override("zh-hans"):
        html = render_to_string("assessments/certificate_pdf.html", {
            "entry": entry, "cadre": entry.cadre, "round": entry.commendation_list.round,
            "issued_on": _chinese_date(timezone.localtime(entry.commendation_list.approved_at).date()),
        })
    content = _pdf(html)
    audit.record(actor=by, action="assessment.certificate_printed", target=entry)
    return content


def agency_annual_xlsx(*, by, agency, year: int) -> bytes:
    """Each cadre of the agency: scores of rounds starting in `year`, then service records of the year."""
    scores = (Score.objects.filter(agency_path__startswith=agency.path, round__start__year=year)
              .select_related("cadre__department", "round", "grade").order_by("cadre__name", "round__start"))
    rows = []
    for score in scores:
        matches = Match.objects.filter(round=score.round, cadre=score.cadre, status=MatchStatus.ARRIVED
                                       ).select_related("demand__unit", "demand__post_type")
        for match in matches:
            start, end = max(match.demand.start, score.round.start), min(match.demand.end, score.round.end)
            rows.append([score.cadre.name, score.cadre.department.name if score.cadre.department_id else "",
                         score.round.name, match.demand.unit.name, match.demand.post_type.name_zh,
                         f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}",
                         float(score.total) if score.total is not None else NO_DATA,
                         score.grade.name_zh if score.grade_id else "未评定", score.rank_agency or "",
                         score.rank_city or ""])
    records = ServiceRecord.objects.filter(cadre__agency_path__startswith=agency.path, start__year=year
                                           ).select_related("cadre", "unit").order_by("cadre__name", "start")
    for record in records:
        if any(r[0] == record.cadre.name and r[2] == record.note for r in rows):
            continue  # already listed with its score
        period = f"{record.start:%Y-%m-%d} 至 {record.end:%Y-%m-%d}" if record.end else f"{record.start:%Y-%m-%d} 起"
        rows.append([record.cadre.name, "", record.note, record.unit.name, record.post, period, NO_DATA, "未评定",
                     "", ""])
    content = build_workbook(ANNUAL_HEADERS, rows, title=f"{year}年下沉考核")
    audit.record(actor=by, action="assessment.annual_exported", target=agency, fields={"year": year, "rows": len(rows)})
    return content


def _pdf(html: str) -> bytes:
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).render().write_pdf()


def _audit_export(by, round_, unit, fmt: str, rows: int) -> None:
    scope = unit.code if unit else "city"
    audit.record(actor=by, action="assessment.report_exported", target=round_,
                 fields={"scope": scope, "format": fmt, "rows": rows})


def _chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
