"""The working calendar in the database: which years are known, loading a year's holiday notice, and
the warning when next year is missing (ADR 1601).

Reads: `known_years()`, `holiday_days()`, `missing_next_year(today)`.
Writes: `replace_year(...)` — all-or-nothing, audited; apps register a hook to recompute the
provisional deadlines a new year makes final (`on_year_loaded`).
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from xiachen.audit import services as audit

from .excel import Column, ExcelRejected, SheetRow, Table, normalize_header, read_table, template_workbook
from .excel_cells import CellInvalid, choice, excel_date, text
from .imports import CellError
from .models import CalendarYear, Holiday

WARN_FROM_MONTH = 11  # the State Council's notice for next year usually appears in late October or November
_year_loaded_hooks: list[Callable[[int], int]] = []


class CalendarImportError(Exception):
    """A holiday file that cannot be loaded; `errors` are Chinese messages naming the row and column."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class HolidayRow:
    day: date
    name: str
    is_workday: bool


def on_year_loaded(hook: Callable[[int], int]) -> None:
    """Register `hook(year) -> number of records updated`, run after a year is loaded (from AppConfig.ready)."""
    if hook not in _year_loaded_hooks:
        _year_loaded_hooks.append(hook)


def known_years() -> frozenset[int]:
    return frozenset(CalendarYear.objects.values_list("year", flat=True))


def holiday_days() -> tuple[frozenset[date], frozenset[date]]:
    """(days off, make-up working days) of every loaded year."""
    rows = list(Holiday.objects.values_list("date", "is_workday"))
    return (
        frozenset(day for day, is_workday in rows if not is_workday),
        frozenset(day for day, is_workday in rows if is_workday),
    )


def missing_next_year(today: date) -> int | None:
    """Next year, when it is November or later and its notice is not loaded; else None."""
    if today.month < WARN_FROM_MONTH:
        return None
    return None if CalendarYear.objects.filter(year=today.year + 1).exists() else today.year + 1


KINDS = [(False, ["放假", "休息", "休假"]), (True, ["调休上班", "上班", "补班"])]
COLUMNS = [
    Column("日期", "day", required=True, parse=excel_date, example="2027-02-06"),
    Column("名称", "name", required=True, parse=text(40), example="春节"),
    Column("类型", "is_workday", required=True, parse=choice(KINDS), note="放假 或 调休上班", example="放假"),
]
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Excel and WPS on Chinese Windows save CSV in GB18030


def template() -> bytes:
    """The import template: the three columns with instructions, as the other imports have."""
    return template_workbook(COLUMNS, title=_("节假日安排"))


def parse_holiday_file(data: bytes, *, filename: str, year: int) -> list[HolidayRow]:
    """The rows of an .xlsx or .csv holiday file for `year`; raises CalendarImportError listing every problem."""
    try:
        table = _read_csv(data) if filename.lower().endswith(".csv") else read_table(data, filename=filename,
                                                                                     columns=COLUMNS)
    except ExcelRejected as rejected:
        raise CalendarImportError([str(rejected)]) from None
    errors = [_describe(error) for error in table.errors]
    errors += [_describe(error) for row in table.rows for error in row.errors]
    if errors:
        raise CalendarImportError(errors)
    return check_rows(year, [(row.number, row.values["day"], row.values["name"], row.values["is_workday"])
                             for row in table.rows])


def _read_csv(data: bytes) -> Table:
    if len(data) > 1024 * 1024:
        raise ExcelRejected(_("文件过大：节假日文件不应超过 1 MB"))
    for encoding in CSV_ENCODINGS:
        try:
            text_data = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ExcelRejected(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV"))
    lines = list(csv.reader(io.StringIO(text_data)))
    if not lines:
        raise ExcelRejected(_("文件为空"))
    headers = [normalize_header(cell) for cell in lines[0]]
    missing = [column.header for column in COLUMNS if column.header not in headers]
    if missing:
        return Table(errors=[CellError(1, "", _("缺少列：%(columns)s") % {"columns": "、".join(missing)})], rows=[])
    rows = [_csv_row(number, cells, headers) for number, cells in enumerate(lines[1:], start=2) if any(cells)]
    return Table(errors=[] if rows else [CellError(2, "", _("没有数据行：请从第2行开始填写"))], rows=rows)


def _csv_row(number: int, cells: list[str], headers: list[str]) -> SheetRow:
    row = SheetRow(number=number, values={})
    for column in COLUMNS:
        index = headers.index(column.header)
        raw = cells[index].strip() if index < len(cells) else ""
        if not raw:
            row.errors.append(CellError(number, column.header, _("必填项为空")))
            row.values[column.key] = None
            continue
        try:
            row.values[column.key] = column.parse(raw)
        except CellInvalid as invalid:
            row.errors.append(CellError(number, column.header, str(invalid)))
            row.values[column.key] = None
    return row


def _describe(error: CellError) -> str:
    if not error.column:
        return _("第 %(row)s 行：%(message)s") % {"row": error.row, "message": error.message}
    return _("第 %(row)s 行“%(column)s”列：%(message)s") % {"row": error.row, "column": error.column,
                                                          "message": error.message}


def check_rows(year: int, rows: list[tuple[int, date, str, bool]]) -> list[HolidayRow]:
    """Rules across rows: every date in `year` and once only, make-up working days on a weekend, and
    at least one day off. Raises CalendarImportError naming each offending row."""
    errors, seen = [], set()
    for number, day, _name, is_workday in rows:
        if day.year != year:
            errors.append(
                _("第 %(row)s 行“日期”列：%(day)s 不在 %(year)s 年") % {"row": number, "day": day, "year": year}
            )
        if day in seen:
            errors.append(_("第 %(row)s 行“日期”列：%(day)s 重复") % {"row": number, "day": day})
        seen.add(day)
        if is_workday and day.isoweekday() < 6:
            errors.append(_("第 %(row)s 行：调休上班日 %(day)s 不是周六或周日") % {"row": number, "day": day})
    if not errors and all(is_workday for *_rest, is_workday in rows):
        errors.append(_("文件里没有放假日期"))
    if errors:
        raise CalendarImportError(errors)
    return [HolidayRow(day=day, name=name, is_workday=is_workday) for _n, day, name, is_workday in rows]


@transaction.atomic
def replace_year(*, by, year: int, rows: list[HolidayRow], source: str) -> int:
    """Make `rows` the whole of `year`'s holidays and mark the year known; return the records recomputed.

    Replaces what was there for that year (a corrected notice replaces the earlier one), audits the
    load, then lets each app turn its provisional deadlines that reach `year` into final ones.
    """
    if not source.strip():
        example = _("国务院办公厅关于%(year)s年部分节假日安排的通知") % {"year": year}
        raise CalendarImportError([_("请填写依据（如：%(example)s）") % {"example": example}])
    Holiday.objects.filter(date__year=year).delete()
    Holiday.objects.bulk_create(Holiday(date=row.day, name=row.name, is_workday=row.is_workday) for row in rows)
    CalendarYear.objects.update_or_create(year=year, defaults={"source": source.strip()[:200], "loaded_by": by})
    audit.record(actor=by, action="calendar.year_loaded", target=("core.CalendarYear", str(year)),
                 fields={"days_off": sum(not r.is_workday for r in rows), "workdays": sum(r.is_workday for r in rows)})
    return sum(hook(year) for hook in _year_loaded_hooks)
