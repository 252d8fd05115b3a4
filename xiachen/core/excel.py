"""Safe reading and writing of office spreadsheets for imports and exports.

Reading (`read_table`) goes through `spreadsheets`: .xlsx, .xls, .ods and .csv, refused before any
parser sees them when the name, magic bytes, size or the zip's declared sizes are wrong, and bounded
by the cells and rows actually read. XML goes through defusedxml; formulas are never evaluated.
Cell problems come back as `CellError`s naming the row as the office program shows it and the
Chinese header.

Sheet: the sheet shown when the file was saved, if visible, else the first visible one; hidden
sheets are never read. When several visible sheets carry the columns of the import, the caller is
asked which one (`SheetChoiceNeeded`).

Headers: looked for among the first `HEADER_SEARCH_ROWS` rows (a title row above the header is the
most common government layout; merged title cells above the header are fine). Header text is
normalized (`normalize_header`: width, spaces, asterisk, trailing colon, a parenthetical such as
（18位）), and the documented aliases in `HEADER_ALIASES` (身份证号码 → 身份证号, …) are accepted.
Missing required or duplicate headers are errors; unknown headers are errors too (a misspelt
optional column would otherwise be dropped silently), except the bookkeeping columns in
`IGNORED_HEADERS`.
"""

import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .excel_cells import CellInvalid, Normalized
from .imports import CellError
from .spreadsheets import FORMULA, UNREADABLE, Book, Budget, ExcelRejected, open_book
from .text import clean_text

if not openpyxl.DEFUSEDXML:  # openpyxl falls back to the stdlib parser silently; refuse to run that way
    raise ImproperlyConfigured("defusedxml must be installed (and OPENPYXL_DEFUSEDXML not disabled)")

__all__ = ["ExcelRejected", "SheetChoiceNeeded"]

IGNORED_HEADERS = frozenset({"序号", "备注"})
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
HEADER_SEARCH_ROWS = 10
# Header variants offices use, by the template's header (docs/howto/imports.md lists them). An alias
# applies only when the import has the canonical column and no column of the alias's own name.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "姓名": ("名字",),
    "身份证号": ("身份证号码", "公民身份号码", "公民身份证号", "公民身份证号码", "身份证", "身份证件号码",
             "证件号码"),
    "手机号": ("手机号码", "手机", "移动电话", "联系电话", "联系方式", "电话", "电话号码"),
    "出生日期": ("出生年月日", "生日"),
    "与户主关系": ("与户主的关系", "关系"),
    "楼栋": ("楼号", "楼栋号", "栋", "幢", "楼"),
    "单元": ("单元号",),
    "房号": ("房间号", "门牌号", "室号"),
    "内设机构": ("科室", "处室", "所在科室", "内设机构名称", "部门"),
    "专长": ("特长", "专业特长"),
    "家庭住址": ("住址", "家庭地址", "现住址"),
    "困难类型": ("困难群体类型", "特殊人群类型"),
    "名称": ("单位名称",),
    "上级代码": ("上级单位代码",),
    "人数": ("需求人数",),
}
_PARENTHETICAL = re.compile(r"\([^()]*\)")


class SheetChoiceNeeded(Exception):
    """Several visible sheets could hold the data; the user picks one of `names`."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


def _identity(value: object) -> object:
    return value


@dataclass(frozen=True)
class Column:
    """One column of an import: its Chinese header, the key in row dicts, and how a cell is parsed.

    `parse` receives a non-empty cell value and returns the typed value (or `Normalized` when it
    changed the text in a way the preview should explain) or raises CellInvalid. `display` turns a
    parsed value into the (masked) text of the preview. `as_text` columns are formatted as text in
    the template so Excel keeps long numbers intact. `aliases` add to `HEADER_ALIASES`.
    """

    header: str
    key: str
    required: bool = False
    parse: Callable[[object], object] = _identity
    display: Callable[[Any], str] = str
    note: str = ""
    example: str = ""
    as_text: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(slots=True)  # slots: 100,000 of these are held at once
class SheetRow:
    number: int  # as the office program shows it
    values: dict[str, Any]  # column key → the value its column parsed (a date, a code, a unit, …)
    errors: list[CellError] = field(default_factory=list)
    raw: tuple = ()  # the cells as read, in column order, for the error workbook
    notes: dict[str, str] | None = None  # why a stored value differs from its cell, by column key

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Table:
    """One worksheet: file-level errors (headers, merged cells), the typed data rows, and notices."""

    errors: list[CellError]
    rows: list[SheetRow]
    notices: list[str] = field(default_factory=list)
    sheet_name: str = ""
    header_row: int = 1
    headers: dict[str, object] = field(default_factory=dict)  # column key → header text as written
    stream: Iterator[SheetRow] = field(default_factory=lambda: iter(()))  # see `open_table`
    estimated_rows: int | None = None
    budget: Budget = field(default_factory=Budget)  # counts what reading the file cost


# --- reading -------------------------------------------------------------------------------------


def check_upload(data: bytes, filename: str) -> None:
    """Refuse a file as a whole (type, size, zip declarations) without reading its rows."""
    open_book(data, filename).close()


def normalize_header(value: object) -> str:
    """NFKC (full-width → half-width), no whitespace or invisible characters, no required-marker
    asterisk, no trailing colon, no parenthetical remark such as （18位） or (必填)."""
    text = unicodedata.normalize("NFKC", clean_text(value))
    text = re.sub(r"\s+", "", text).strip("*").rstrip(":").strip("*")
    without = _PARENTHETICAL.sub("", text)
    return without or text


def header_lookup(columns: Sequence[Column]) -> dict[str, Column]:
    """Normalized header or alias → column. Own headers win over aliases; X编码 is read as X代码."""
    lookup = {normalize_header(column.header): column for column in columns}
    for column in columns:
        for alias in (*HEADER_ALIASES.get(column.header, ()), *column.aliases):
            lookup.setdefault(normalize_header(alias), column)
        if column.header.endswith("代码"):
            lookup.setdefault(normalize_header(column.header[:-2] + "编码"), column)
    return lookup


def read_table(data: bytes, *, filename: str, columns: Sequence[Column], sheet: str | None = None,
               budget: Budget | None = None) -> Table:
    """Parse the data sheet into typed rows. Raises ExcelRejected for a file refused as a whole and
    SheetChoiceNeeded when `sheet` (a sheet name) is not given and several sheets could be the data.
    `budget` (default: the configured limits) counts the cells and rows read. Holds every row: for
    small files and tests; imports stream with `open_table`."""
    with open_table(data, filename=filename, columns=columns, sheet=sheet, budget=budget) as table:
        table.rows = list(table.stream)
        if not table.rows and not table.errors:
            first = table.header_row + 1
            table.errors.append(CellError(first, "", _("没有数据行：请从第%(row)d行开始填写") % {"row": first}))
        return table


@contextmanager
def open_table(data: bytes, *, filename: str, columns: Sequence[Column], sheet: str | None = None,
               budget: Budget | None = None) -> Iterator[Table]:
    """The data sheet with its header read and `table.stream` yielding typed rows one at a time (none
    when the header has errors), so a caller holds only the rows it is working on. Same refusals as
    `read_table`, raised on entry or while streaming. `table.estimated_rows` is the sheet's own
    claim of its size (None when the format does not say), for progress bars only."""
    book = open_book(data, filename)
    budget = budget or Budget()
    try:
        try:
            index = _data_sheet(book, columns, sheet)
            table = _read_sheet(book, index, columns, budget)
        except (ExcelRejected, SheetChoiceNeeded):
            raise
        except UNREADABLE:
            raise _unreadable() from None
        table.budget = budget
        table.estimated_rows = book.estimated_rows(index)
        table.stream = _guarded(table.stream)
        yield table
    finally:
        book.close()


def _unreadable() -> ExcelRejected:
    return ExcelRejected(_("文件已损坏或无法读取，请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传"))


def _guarded(rows: Iterator) -> Iterator:
    try:
        yield from rows
    except (ExcelRejected, SheetChoiceNeeded):
        raise
    except UNREADABLE:
        raise _unreadable() from None


def _data_sheet(book: Book, columns: Sequence[Column], chosen: str | None) -> int:
    visible = [index for index, sheet in enumerate(book.sheets) if sheet.visible]
    if not visible:
        raise ExcelRejected(_("文件中没有可见的工作表"))
    if chosen is not None:
        for index in visible:
            if book.sheets[index].name == chosen:
                return index
        raise ExcelRejected(_("文件中没有名为「%(name)s」的可见工作表") % {"name": chosen[:40]})
    if len(visible) == 1:
        return visible[0]
    lookup = header_lookup(columns)
    candidates = [index for index in visible if _find_header(book, index, lookup, Budget())[1] >= _enough(columns)]
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        raise SheetChoiceNeeded([book.sheets[index].name for index in candidates])
    return book.active if book.active in visible else visible[0]


def _enough(columns: Sequence[Column]) -> int:
    """How many recognized headers make a row the header row (two, or one for a one-column import)."""
    return min(2, len(columns))


def _find_header(book: Book, index: int, lookup: dict[str, Column],
                 budget: Budget) -> tuple[tuple[int, dict[int, object]] | None, int]:
    """The row among the first HEADER_SEARCH_ROWS rows with the most recognized headers, and that count."""
    best, best_count, first = None, 0, None
    for number, values in book.rows(index, budget):
        if number > HEADER_SEARCH_ROWS:
            break
        if not values:
            continue
        first = first or (number, values)
        count = len({lookup[h].key for h in map(normalize_header, values.values()) if h in lookup})
        if count > best_count:
            best, best_count = (number, values), count
    needed = min(2, len({column.key for column in lookup.values()}))
    return (best if best_count >= needed else first), best_count


def _read_sheet(book: Book, index: int, columns: Sequence[Column], budget: Budget) -> Table:
    lookup = header_lookup(columns)
    found, _count = _find_header(book, index, lookup, budget)
    table = Table(errors=[], rows=[], sheet_name=book.sheets[index].name)
    if found is None:
        table.errors.append(CellError(1, "", _("工作表「%(name)s」是空的") % {"name": table.sheet_name[:40]}))
        return table
    header_row, header_cells = found
    table.header_row = header_row
    if header_row > 1:
        table.notices.append(_("第%(row)d行是表头，其上方的标题行未导入") % {"row": header_row})
    if sum(1 for sheet in book.sheets if sheet.visible) > 1 or len(book.sheets) > 1:
        table.notices.append(_("读取的工作表：%(name)s") % {"name": table.sheet_name})
    table.errors += _merged_cell_errors(book.merged_ranges(index), header_row)
    positions, header_errors = _header_positions(header_row, header_cells, columns, lookup)
    table.errors += header_errors
    table.headers = {key: header_cells[position] for key, position in positions.items()}
    if table.errors:
        return table
    table.stream = _typed_rows(book.rows(index, budget), header_row, positions, columns, budget)
    return table


def _merged_cell_errors(refs: list[str], header_row: int) -> list[CellError]:
    """Merged cells in or below the header are refused; a merged title above the header is fine."""
    return [
        CellError(_first_row(ref), "", _("含合并单元格 %(range)s，请取消合并后每格单独填写") % {"range": ref})
        for ref in refs
        if _last_row(ref) >= header_row
    ]


def _first_row(ref: str) -> int:
    return int(re.findall(r"\d+", ref)[0])


def _last_row(ref: str) -> int:
    return int(re.findall(r"\d+", ref)[-1])


def _header_positions(number: int, cells: dict[int, object], columns: Sequence[Column],
                      lookup: dict[str, Column]) -> tuple[dict[str, int], list[CellError]]:
    """Map column key → cell index from the header row; report missing, duplicate and unknown headers."""
    positions: dict[str, int] = {}
    errors: list[CellError] = []
    for index in sorted(cells):
        header = normalize_header(cells[index])
        column = lookup.get(header)
        if not header or (column is None and header in IGNORED_HEADERS):
            continue  # bookkeeping columns are skipped unless the importer declares them
        if column is None:
            errors.append(CellError(number, header, _("无法识别的列名，请使用模板中的列名或删除该列")))
        elif column.key in positions:
            errors.append(CellError(number, column.header, _("列名重复")))
        else:
            positions[column.key] = index
    for column in columns:
        if column.required and column.key not in positions:
            errors.append(CellError(number, column.header, _("缺少必填列")))
    return positions, errors


def _typed_rows(lines: Iterator, header_row: int, positions: dict[str, int], columns: Sequence[Column],
                budget: Budget) -> Iterator[SheetRow]:
    for number, cells in lines:
        if number <= header_row:
            continue
        budget.add_row()
        if all(_is_blank(value) for value in cells.values()):
            continue
        yield _typed_row(number, cells, positions, columns)


def _typed_row(number: int, cells: dict[int, object], positions: dict[str, int],
               columns: Sequence[Column]) -> SheetRow:
    row = SheetRow(number=number, values={})
    raw = []
    for column in columns:
        index = positions.get(column.key)
        value = cells.get(index) if index is not None else None
        raw.append(value)
        row.values[column.key] = _cell_value(row, column, value)
    row.raw = tuple(raw)
    return row


def _cell_value(row: SheetRow, column: Column, value: object) -> object:
    if value is FORMULA:
        row.errors.append(CellError(row.number, column.header, _("单元格含公式，请粘贴为数值")))
        return None
    if _is_blank(value):
        if column.required:
            row.errors.append(CellError(row.number, column.header, _("必填项为空")))
        return None
    try:
        parsed = column.parse(value)
    except CellInvalid as invalid:
        row.errors.append(CellError(row.number, column.header, str(invalid)))
        return None
    if isinstance(parsed, Normalized):
        row.notes = {**(row.notes or {}), column.key: parsed.note}
        return parsed.value
    return parsed


def _is_blank(value: object) -> bool:
    if isinstance(value, str):
        return not (value.isprintable() and value.strip()) and not clean_text(value)
    return value is None


# --- writing -------------------------------------------------------------------------------------


def escape_cell(value: object) -> object:
    """For sheets built cell by cell (not `build_workbook`): text starting with = + - @ tab CR or NUL
    gets a leading apostrophe, which becomes part of the value. `build_workbook` instead writes such
    text as a text cell (quote prefix), which shows the original text and is still never a formula."""
    if isinstance(value, datetime | date) or not isinstance(value, str):
        return value
    escaped = "'" + value if value.startswith(FORMULA_PREFIXES) else value
    return ILLEGAL_CHARACTERS_RE.sub("", escaped)


@dataclass(frozen=True)
class Percent:
    """A rate for an export: written as the number (0.853) with a percent format (85.3%)."""

    rate: float | None
    places: int = 1

    def __str__(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.{self.places}f}%"


DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def export_cell(sheet, value: object) -> object:
    """One value of an exported row as Excel should hold it.

    Text is cleaned of characters XML cannot hold; text that Excel would read as a formula is written
    as a text cell with the quote-prefix style (the cell shows exactly the text, never runs it);
    dates and date-times are real dates (aware date-times in local time); `Percent` is a number
    with a percent format; numbers and empty cells pass through.
    """
    if isinstance(value, Percent):
        if value.rate is None:
            return "—"
        cell = WriteOnlyCell(sheet, value=float(value.rate))
        cell.number_format = "0." + "0" * value.places + "%" if value.places else "0%"
        return cell
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            from django.utils import timezone

            value = timezone.localtime(value).replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # stubs omit date; Cell takes it
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, Decimal):
        return float(value)
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not text.startswith(FORMULA_PREFIXES):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl would otherwise write it as a formula
    cell.quotePrefix = True
    return cell


def _display_width(value: object) -> int:
    text = "" if value is None else str(value)
    if isinstance(value, datetime):
        text = "2026-12-31 23:59:59"
    elif isinstance(value, date):
        text = "2026-12-31"
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def build_workbook(headers: Sequence[str], rows: Iterable[Sequence[object]], *,
                   title: str = "Sheet1") -> bytes:
    """Write one sheet (bold frozen header, fitted widths, every cell through `export_cell`) and
    return the bytes. `rows` may be a lazy iterator; widths are fitted to the header and the first 200 rows.
    """
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    rows = iter(rows)
    head = [list(row) for _, row in zip(range(200), rows, strict=False)]
    for index, width in enumerate(_widths(headers, head), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_bold_cell(sheet, header) for header in headers])
    for row in [*head, *rows]:
        sheet.append([export_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _widths(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[float]:
    widths = [_display_width(header) for header in headers]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _display_width(value))
    return [min(max(width + 2, 8), 60) for width in widths]


def _bold_cell(sheet, value: str) -> Cell:
    exported = export_cell(sheet, value)
    cell = exported if isinstance(exported, Cell) else WriteOnlyCell(sheet, value=str(exported))
    cell.font = Font(bold=True)
    return cell


def template_workbook(columns: Sequence[Column], *, title: str = "导入数据") -> bytes:
    """The downloadable template: an empty data sheet with the Chinese headers, and a 填写说明 sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.worksheets[0]  # a new workbook's one (active) sheet
    sheet.title = title
    sheet.append([column.header for column in columns])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index).font = Font(bold=True)
        width = max(_display_width(column.header) + 4, _display_width(column.example))
        sheet.column_dimensions[letter].width = width
        if column.as_text:
            sheet.column_dimensions[letter].number_format = "@"
    _instructions_sheet(workbook.create_sheet(_("填写说明")), columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions_sheet(sheet, columns: Sequence[Column]) -> None:
    sheet.append([_("列名"), _("是否必填"), _("填写说明"), _("示例")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in columns:
        sheet.append([column.header, _("必填") if column.required else _("选填"), column.note,
                      escape_cell(column.example)])
    sheet.append([])
    sheet.append([_("请在第一个工作表第2行起填写数据；不要合并单元格，不要使用公式；身份证号、手机号请设为文本格式。")])
    for letter, width in zip("ABCD", (14, 10, 60, 24), strict=True):
        sheet.column_dimensions[letter].width = width
