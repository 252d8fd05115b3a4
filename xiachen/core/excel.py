"""Safe reading and writing of Excel workbooks (.xlsx only).

Reading refuses a file before openpyxl sees it when the name, magic bytes, size or the sizes the
zip directory declares are wrong (Python's zipfile never inflates an entry past its declared size,
so the directory check bounds the work). XML goes through defusedxml; formulas are never evaluated.
Cell problems come back as `CellError`s naming the row as Excel shows it and the Chinese header.

Headers: spaces and full-width forms are normalized; missing required or duplicate headers are
errors; unknown headers are errors too (a misspelt optional column would otherwise be dropped
silently), except the bookkeeping columns in `IGNORED_HEADERS`.
"""

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree.ElementTree import ParseError

import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from .excel_cells import CellInvalid
from .imports import CellError

if not openpyxl.DEFUSEDXML:  # openpyxl falls back to the stdlib parser silently; refuse to run that way
    raise ImproperlyConfigured("defusedxml must be installed (and OPENPYXL_DEFUSEDXML not disabled)")

ZIP_MAGIC = b"PK\x03\x04"
# What openpyxl and defusedxml raise on a malformed or hostile package while rows are streamed.
UNREADABLE = (zipfile.BadZipFile, KeyError, IndexError, OSError, ParseError, DefusedXmlException, ValueError,
              TypeError)
IGNORED_HEADERS = frozenset({"序号", "备注"})
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+\d+(?::[A-Z]+\d+)?)\"")


class ExcelRejected(ValueError):
    """The whole file is refused (wrong type, too large, zip bomb, unreadable); the message is Chinese."""


def _identity(value: object) -> object:
    return value


@dataclass(frozen=True)
class Column:
    """One column of an import: its Chinese header, the key in row dicts, and how a cell is parsed.

    `parse` receives a non-empty cell value and returns the typed value or raises CellInvalid.
    `display` turns a parsed value into the (masked) text of the preview. `as_text` columns are
    formatted as text in the template so Excel keeps long numbers intact.
    """

    header: str
    key: str
    required: bool = False
    parse: Callable[[object], object] = _identity
    display: Callable[[object], str] = str
    note: str = ""
    example: str = ""
    as_text: bool = False


@dataclass
class SheetRow:
    number: int  # as Excel shows it
    values: dict[str, object]
    errors: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Table:
    """The first worksheet: file-level errors (headers, merged cells) and the typed data rows."""

    errors: list[CellError]
    rows: list[SheetRow]


# --- reading -------------------------------------------------------------------------------------


def check_upload(data: bytes, filename: str) -> zipfile.ZipFile:
    """Refuse anything but a plausible, bounded .xlsx; return the opened zip for further checks."""
    if not filename.lower().endswith(".xlsx"):
        raise ExcelRejected(_("只接受 .xlsx 格式的 Excel 文件，请在 Excel 或 WPS 中另存为 .xlsx 后重新上传"))
    if not data:
        raise ExcelRejected(_("文件为空"))
    if len(data) > settings.XIACHEN_IMPORT_MAX_BYTES:
        limit = settings.XIACHEN_IMPORT_MAX_BYTES // (1024 * 1024)
        raise ExcelRejected(_("文件过大：不能超过 %(limit)d MB") % {"limit": limit})
    if not data.startswith(ZIP_MAGIC):
        raise ExcelRejected(_("文件内容不是 .xlsx 格式（可能是改了扩展名的其他文件）"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExcelRejected(_("文件已损坏，无法读取")) from None
    if declared > settings.XIACHEN_IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise ExcelRejected(_("文件解压后过大（疑似压缩炸弹），已拒绝"))
    return archive


def normalize_header(value: object) -> str:
    """NFKC (full-width → half-width), no whitespace, no required-marker asterisk."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return re.sub(r"\s+", "", text).strip("*")


def read_table(data: bytes, *, filename: str, columns: Sequence[Column]) -> Table:
    """Parse the first worksheet into typed rows. Raises ExcelRejected for a file refused as a whole."""
    archive = check_upload(data, filename)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for a malformed package
        raise ExcelRejected(_("文件已损坏或不是有效的 .xlsx 文件，无法读取")) from None
    try:
        sheet = workbook.worksheets[0]
        errors = _merged_cell_errors(archive, sheet._worksheet_path)  # no public accessor in openpyxl 3.1
        sheet.reset_dimensions()  # a wrong <dimension> tag must not truncate the rows we read
        lines = iter(sheet.iter_rows())
        positions, header_errors = _header_positions(next(lines, ()), columns)
        errors += header_errors
        if errors:
            return Table(errors=errors, rows=[])
        rows = list(_typed_rows(lines, positions, columns))
    except ExcelRejected:
        raise
    except UNREADABLE:
        raise ExcelRejected(_("文件已损坏或不是有效的 .xlsx 文件，无法读取")) from None
    finally:
        workbook.close()
    if not rows:
        errors.append(CellError(2, "", _("没有数据行：请从第2行开始填写")))
    return Table(errors=errors, rows=rows)


def _merged_cell_errors(archive: zipfile.ZipFile, sheet_path: str) -> list[CellError]:
    """Read-only mode ignores merges, so find <mergeCell ref=…> in the sheet XML ourselves (streamed)."""
    refs: list[str] = []
    tail = b""
    with archive.open(sheet_path.lstrip("/")) as source:
        while chunk := source.read(1 << 20):
            window = tail + chunk
            refs += [m.decode() for m in _MERGE_REF.findall(window) if m.decode() not in refs]
            tail = window[-300:]
    return [
        CellError(_first_row(ref), "", _("含合并单元格 %(range)s，请取消合并后每格单独填写") % {"range": ref})
        for ref in refs
    ]


def _first_row(ref: str) -> int:
    return int(re.search(r"\d+", ref).group())


def _header_positions(cells: Iterable, columns: Sequence[Column]) -> tuple[dict[str, int], list[CellError]]:
    """Map column key → cell index from the header row; report missing, duplicate and unknown headers."""
    by_header = {normalize_header(column.header): column for column in columns}
    positions: dict[str, int] = {}
    errors: list[CellError] = []
    for index, cell in enumerate(cells):
        header = normalize_header(cell.value)
        column = by_header.get(header)
        if not header or (column is None and header in IGNORED_HEADERS):
            continue  # bookkeeping columns are skipped unless the importer declares them
        if column is None:
            errors.append(CellError(1, header, _("无法识别的列名，请使用模板中的列名或删除该列")))
        elif column.key in positions:
            errors.append(CellError(1, column.header, _("列名重复")))
        else:
            positions[column.key] = index
    for column in columns:
        if column.required and column.key not in positions:
            errors.append(CellError(1, column.header, _("缺少必填列")))
    return positions, errors


def _typed_rows(lines: Iterator, positions: dict[str, int], columns: Sequence[Column]) -> Iterator[SheetRow]:
    limit = settings.XIACHEN_IMPORT_MAX_ROWS
    count = 0
    for number, cells in enumerate(lines, start=2):
        if all(_is_blank(cell.value) for cell in cells):
            continue
        count += 1
        if count > limit:
            raise ExcelRejected(_("数据行数超过上限 %(limit)d 行，请分批导入") % {"limit": limit})
        yield _typed_row(number, cells, positions, columns)


def _typed_row(number: int, cells: Sequence, positions: dict[str, int],
               columns: Sequence[Column]) -> SheetRow:
    row = SheetRow(number=number, values={})
    for column in columns:
        index = positions.get(column.key)
        cell = cells[index] if index is not None and index < len(cells) else None
        row.values[column.key] = _cell_value(row, column, cell)
    return row


def _cell_value(row: SheetRow, column: Column, cell) -> object:
    value = None if cell is None else cell.value
    if cell is not None and (cell.data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula)):
        row.errors.append(CellError(row.number, column.header, _("单元格含公式，请粘贴为数值")))
        return None
    if _is_blank(value):
        if column.required:
            row.errors.append(CellError(row.number, column.header, _("必填项为空")))
        return None
    try:
        return column.parse(value)
    except CellInvalid as invalid:
        row.errors.append(CellError(row.number, column.header, str(invalid)))
        return None


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(" \t\r\n\u3000\u00a0"))


# --- writing -------------------------------------------------------------------------------------


def escape_cell(value: object) -> object:
    """Neutralize formula injection: text starting with = + - @ tab CR or NUL gets a leading apostrophe."""
    if isinstance(value, datetime | date) or not isinstance(value, str):
        return value
    escaped = "'" + value if value.startswith(FORMULA_PREFIXES) else value
    return ILLEGAL_CHARACTERS_RE.sub("", escaped)


def _display_width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def build_workbook(headers: Sequence[str], rows: Iterable[Sequence[object]], *,
                   title: str = "Sheet1") -> bytes:
    """Write one sheet (bold frozen header, fitted widths, every text cell escaped) and return the bytes.

    `rows` may be a lazy iterator; widths are fitted to the header and the first 200 rows.
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
        sheet.append([escape_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _widths(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[float]:
    widths = [_display_width(header) for header in headers]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _display_width(value))
    return [min(max(width + 2, 8), 60) for width in widths]


def _bold_cell(sheet, value: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=escape_cell(value))
    cell.font = Font(bold=True)
    return cell


def template_workbook(columns: Sequence[Column], *, title: str = "导入数据") -> bytes:
    """The downloadable template: an empty data sheet with the Chinese headers, and a 填写说明 sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
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
