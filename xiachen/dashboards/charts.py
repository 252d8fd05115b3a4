"""The charts and key figures of each dashboard, built from the rollup rows that `selectors` read.

A chart is the same data three ways: ECharts options (page), a table (Excel) and a 暂无数据 state
when its source has no rows — a missing number is never drawn as zero.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.assessments.models import Grade
from xiachen.deployments.models import PostType
from xiachen.hotline.rates import Rates, percent
from xiachen.org.models import Unit

from . import selectors
from .rollups import day_of

RATE_FIELDS = ("tickets", "tickets_responded", "tickets_called_back", "tickets_resolved", "tickets_satisfied")


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # bar, stack, line, pie
    x_title: str
    x: list[str]
    series: list[dict] = field(default_factory=list)  # {"name": …, "data": [number or None]}
    links: list[str] | None = None  # drill-down URL per x value
    unit: str = ""
    xlsx_url: str = ""

    @property
    def empty(self) -> bool:
        return not any(value for serie in self.series for value in serie["data"])

    def as_json(self) -> dict:
        return {"id": self.id, "title": self.title, "kind": self.kind, "x": self.x, "series": self.series,
                "links": self.links, "unit": self.unit, "empty": self.empty}

    def table(self) -> tuple[list[str], list[list]]:
        headers = [self.x_title, *(serie["name"] for serie in self.series)]
        return headers, [[label, *(serie["data"][i] for serie in self.series)] for i, label in enumerate(self.x)]


@dataclass
class Dashboard:
    unit: Unit
    period: selectors.Period
    kpis: list[dict]
    charts: list[Chart]
    rows: list[dict] = field(default_factory=list)  # the drill-down table
    agencies: list[dict] = field(default_factory=list)

    def chart(self, chart_id: str) -> Chart | None:
        return next((chart for chart in self.charts if chart.id == chart_id), None)


def _day_labels(period) -> list[str]:
    return [day_of(day).strftime("%m-%d") for day in period.days]


def _hour_labels(period) -> list[str]:
    zone = timezone.get_current_timezone()
    hours = (datetime.fromtimestamp(hour * 3600, tz=UTC).astimezone(zone) for hour in period.hours)
    return [hour.strftime("%m-%d %H:00") for hour in hours]


def _daily(period, series: dict, metrics: list[tuple[str, str]]) -> list[dict]:
    return [{"name": name, "data": [series.get(metric, {}).get(day, 0) for day in period.days]}
            for metric, name in metrics]


def _rate(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def rates_from(counts: dict) -> Rates:
    """hotline.rates' three rates over rolled-up counts (the definitions stay in hotline)."""
    tickets, responded, called_back, resolved, satisfied = (counts.get(name, 0) or 0 for name in RATE_FIELDS)
    return Rates(tickets=tickets, responded=responded, called_back=called_back, resolved=resolved, satisfied=satisfied)


def _snapshot_sum(snapshot: dict, metric: str) -> int | None:
    values = [value for (name, _key), value in snapshot.items() if name == metric]
    return sum(values) if values else None


def _kpi(kpi_id: str, label, value, note: str = "") -> dict:
    return {"id": kpi_id, "label": label, "value": _("暂无数据") if value is None else value, "note": note}


def _post_types() -> list[tuple[str, str]]:
    return [(post.code, post.label) for post in PostType.objects.all()]


def _coverage(snapshot: dict) -> str | None:
    headcount = _snapshot_sum(snapshot, "headcount")
    if not headcount:
        return None
    return percent(Fraction(_snapshot_sum(snapshot, "covered") or 0, headcount))


def area_kpis(snapshot: dict, total: dict) -> list[dict]:
    rates = rates_from(total)
    errands_open = _snapshot_sum(snapshot, "errands_open")
    return [
        _kpi("deployed", _("在岗下沉干部"), _snapshot_sum(snapshot, "deployed")),
        _kpi("coverage", _("岗位需求满足率"), _coverage(snapshot)),
        _kpi("scans", _("通行扫码"), total.get("scans")),
        _kpi("fever", _("发热预警"), total.get("fever_alerts"), _("待跟进 %(n)s") % {
            "n": _snapshot_sum(snapshot, "fever_open") or 0}),
        _kpi("errands_open", _("未办结代办"), errands_open if errands_open is not None else (
            0 if total.get("errands_created") else None)),
        _kpi("errands_overdue", _("超时代办（超过24小时）"), _snapshot_sum(snapshot, "errands_overdue") or (
            0 if errands_open is not None or total.get("errands_created") else None)),
        _kpi("response", _("响应率"), percent(rates.response_rate) if rates.tickets else None),
        _kpi("resolution", _("解决率"), percent(rates.resolution_rate) if rates.called_back else None),
        _kpi("satisfaction", _("满意率"), percent(rates.satisfaction_rate) if rates.called_back else None),
        _kpi("surveys", _("问卷回收"), total.get("survey_responses")),
        _kpi("care", _("关爱提醒"), total.get("care_alerts")),
    ]


def _deployed_chart(unit, children, snaps, post_types, links) -> Chart:
    if not children:
        own = snaps.get(unit.pk, {})
        return Chart("deployed", _("在岗下沉干部（按岗位类型）"), "bar", _("岗位类型"),
                     [label for _c, label in post_types],
                     [{"name": _("人数"), "data": [own.get(("deployed", code), 0) for code, _l in post_types]}])
    used = [(code, label) for code, label in post_types
            if any(snaps.get(child.pk, {}).get(("deployed", code)) for child in children)]
    series = [{"name": label, "data": [snaps.get(child.pk, {}).get(("deployed", code), 0) for child in children]}
              for code, label in used]
    return Chart("deployed", _("在岗下沉干部（按下级单位和岗位类型）"), "stack", _("单位"),
                 [child.name for child in children], series, links)


def _coverage_chart(snapshot, post_types) -> Chart:
    used = [(code, label) for code, label in post_types if snapshot.get(("headcount", code))]
    return Chart("coverage", _("岗位需求满足情况（当前）"), "bar", _("岗位类型"), [label for _c, label in used], [
        {"name": _("需求人数"), "data": [snapshot.get(("headcount", code), 0) for code, _l in used]},
        {"name": _("已派驻"), "data": [snapshot.get(("covered", code), 0) for code, _l in used]},
    ])


def _rates_chart(units, totals_by_unit, links) -> Chart:
    rates = [rates_from(totals_by_unit.get(unit.pk, {})) for unit in units]
    return Chart("hotline", _("热线三率"), "bar", _("单位"), [unit.name for unit in units], [
        {"name": _("响应率"), "data": [_rate(r.response_rate) for r in rates]},
        {"name": _("解决率"), "data": [_rate(r.resolution_rate) for r in rates]},
        {"name": _("满意率"), "data": [_rate(r.satisfaction_rate) for r in rates]},
    ], links, unit="%")


def _time_charts(period, series, hourly) -> list[Chart]:
    days = _day_labels(period)
    return [
        Chart("scans", _("通行扫码（每小时）"), "line", _("时间"), _hour_labels(period),
              [{"name": _("扫码次数"), "data": [hourly.get(hour, 0) for hour in period.hours]}]),
        Chart("fever", _("发热预警（每日）"), "bar", _("日期"), days,
              _daily(period, series, [("fever_alerts", _("预警"))])),
        Chart("errands", _("代办服务（每日）"), "line", _("日期"), days, _daily(period, series, [
            ("errands_created", _("新申请")), ("errands_delivered", _("已送达")), ("errands_cancelled", _("已取消"))])),
        Chart("surveys", _("问卷回收（每日）"), "bar", _("日期"), days,
              _daily(period, series, [("survey_responses", _("份数"))])),
        Chart("care", _("关爱提醒（每日）"), "bar", _("日期"), days,
              _daily(period, series, [("care_alerts", _("提醒"))])),
    ]


def _child_row(child, total, snapshot, link) -> dict:
    rates = rates_from(total)
    return {
        "unit": child, "link": link, "deployed": _snapshot_sum(snapshot, "deployed") or 0,
        "scans": total.get("scans", 0), "fever": total.get("fever_alerts", 0),
        "errands_open": _snapshot_sum(snapshot, "errands_open") or 0,
        "errands_overdue": _snapshot_sum(snapshot, "errands_overdue") or 0,
        "tickets": total.get("tickets", 0), "response": percent(rates.response_rate),
        "resolution": percent(rates.resolution_rate), "satisfaction": percent(rates.satisfaction_rate),
        "surveys": total.get("survey_responses", 0), "care": total.get("care_alerts", 0),
    }


ROW_COLUMNS = [
    ("deployed", "在岗下沉干部"), ("scans", "通行扫码"), ("fever", "发热预警"), ("errands_open", "未办结代办"),
    ("errands_overdue", "超时代办"), ("tickets", "热线工单"), ("response", "响应率"), ("resolution", "解决率"),
    ("satisfaction", "满意率"), ("surveys", "问卷回收"), ("care", "关爱提醒"),
]


def rows_chart(rows: list[dict]) -> Chart:
    """The drill-down table as a chart-shaped object, so it downloads like the charts."""
    return Chart("units", _("下级单位"), "table", _("单位"), [row["unit"].name for row in rows],
                 [{"name": _(label), "data": [row[key] for row in rows]} for key, label in ROW_COLUMNS])


def area_dashboard(unit: Unit, period, *, child_kinds=(), link_name: str = "") -> Dashboard:
    """City, district or community: its own series, and its children's totals for drilling down."""
    children = selectors.children_of(unit, child_kinds) if child_kinds else []
    links = [reverse(link_name, args=[child.public_id]) for child in children] if link_name else None
    series, hourly = selectors.daily_series(unit, period), selectors.hourly_scans(unit, period)
    snaps = selectors.snapshots([unit, *children])
    child_totals = selectors.totals(children, period) if children else {}
    own_total = {metric: sum(values.values()) for metric, values in series.items()}
    post_types = _post_types()
    charts = [
        _deployed_chart(unit, children, snaps, post_types, links),
        _coverage_chart(snaps.get(unit.pk, {}), post_types),
        *_time_charts(period, series, hourly),
        _rates_chart(children or [unit], child_totals if children else {unit.pk: own_total}, links),
    ]
    rows = [_child_row(child, child_totals.get(child.pk, {}), snaps.get(child.pk, {}), link)
            for child, link in zip(children, links or [None] * len(children), strict=True)]
    if rows:
        charts.append(rows_chart(rows))
    return Dashboard(unit, period, area_kpis(snaps.get(unit.pk, {}), own_total), charts, rows)


def agency_dashboard(agency: Unit, period) -> Dashboard:
    """Where the agency's cadres are deployed, the hours they worked, their assessment scores."""
    series = selectors.daily_series(agency, period)
    snapshot = selectors.snapshots([agency]).get(agency.pk, {})
    placed = {int(key): value for (metric, key), value in snapshot.items() if metric == "placed"}
    places = {unit.pk: unit for unit in Unit.objects.filter(pk__in=placed).select_related("kind").order_by("path")}
    by_kind = {kind: [u for u in places.values() if u.kind.code in kinds]
               for kind, kinds in (("district", selectors.DISTRICT_KINDS), ("community", selectors.COMMUNITY_KINDS))}
    communities = sorted(by_kind["community"], key=lambda u: (-placed[u.pk], u.path))[:30]
    minutes = series.get("attendance_minutes", {})
    grades = sorted((key, value) for (metric, key), value in snapshot.items() if metric == "scored")
    grade_labels = _grade_labels()
    scored = sum(value for _key, value in grades)
    average = round((_snapshot_sum(snapshot, "score_total_x100") or 0) / scored / 100, 2) if scored else None
    charts = [
        Chart("districts", _("派驻干部（按区）"), "bar", _("区"), [u.name for u in by_kind["district"]],
              [{"name": _("人数"), "data": [placed[u.pk] for u in by_kind["district"]]}]),
        Chart("communities", _("派驻干部（按社区，前30）"), "bar", _("社区"), [u.name for u in communities],
              [{"name": _("人数"), "data": [placed[u.pk] for u in communities]}]),
        Chart("hours", _("在岗工时（每日）"), "bar", _("日期"), _day_labels(period),
              [{"name": _("小时"), "data": [round(minutes.get(day, 0) / 60, 1) for day in period.days]},
               {"name": _("班次"), "data": [series.get("attended_shifts", {}).get(day, 0) for day in period.days]}]),
        Chart("grades", _("考核等次分布"), "pie", _("等次"), [grade_labels.get(key, key) for key, _v in grades],
              [{"name": _("人数"), "data": [value for _key, value in grades]}]),
    ]
    total_minutes = sum(minutes.values())
    kpis = [
        _kpi("placed", _("在岗下沉干部"), sum(placed[u.pk] for u in places.values() if u.kind.code == "city")
             if placed else None),
        _kpi("hours", _("在岗工时（小时）"), round(total_minutes / 60, 1) if minutes else None),
        _kpi("scored", _("已考核人数"), scored or None),
        _kpi("average", _("平均综合得分"), average),
    ]
    return Dashboard(agency, period, kpis, charts)


def _grade_labels() -> dict[str, str]:
    return {"": _("未定等次")} | {grade.code: grade.label for grade in Grade.objects.all()}


def agencies_of(city: Unit) -> list[dict]:
    """The city's sending agencies with their deployed cadres, linking to their dashboards."""
    agencies = list(Unit.objects.filter(path__startswith=city.path, kind__code="agency").order_by("path"))
    snaps = selectors.snapshots(agencies)
    key = str(city.pk)
    return [{"unit": agency, "placed": snaps.get(agency.pk, {}).get(("placed", key), 0),
             "link": reverse("dashboards:agency", args=[agency.public_id])} for agency in agencies]
