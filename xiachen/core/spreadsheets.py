"""Reading the files offices send: .xlsx, legacy .xls, .ods and .csv, as sparse rows of cell values.

Every reader streams and is bounded before and while it reads (`Budget`): the zip directory's
declared sizes and the shared-strings count are checked before a part is parsed, and every cell
element read (empty ones included) and every row read (blank ones included) is counted, so a file
whose only content is 20,000 empty cells at column XFD costs 20,000 cells, not 327 million.

A row is `(number, {column index: value})`: the row number as the office program shows it and only
the non-empty cells (0-based column index). A formula cell's value is `FORMULA` (never evaluated).
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import NoReturn
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ACCEPTED = (".xlsx", ".xls", ".ods", ".csv")
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")
_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+\d+(?::[A-Z]+\d+)?)\"")
# What the parsers raise on a malformed or hostile file while rows are streamed.
UNREADABLE = (zipfile.BadZipFile, KeyError, IndexError, OSError, ParseError, expat.ExpatError, DefusedXmlException,
              ValueError,
              TypeError, AttributeError, UnicodeDecodeError, csv.Error)


class ExcelRejected(ValueError):
    """The whole file is refused (wrong type, too large, zip bomb, unreadable); the message is Chinese."""


class Formula:
    """The value of a formula cell: imports refuse formulas rather than trust a cached result."""

    def __repr__(self) -> str:
        return "FORMULA"


FORMULA = Formula()


@dataclass
class Budget:
    """Counts the work a file makes us do and refuses it past the configured limits."""

    max_cells: int = field(default_factory=lambda: settings.XIACHEN_IMPORT_MAX_CELLS)
    max_rows: int = field(default_factory=lambda: settings.XIACHEN_IMPORT_MAX_ROWS)
    cells: int = 0
    rows: int = 0
    inline_rows: int | None = None  # a request reads at most this many rows, then hands the file over


    def add_cells(self, count: int) -> None:
        self.cells += count
        if self.cells > self.max_cells:
            raise ExcelRejected(_("文件中的单元格过多（超过 %(limit)d 个），请删除无关内容或分批导入")
                                % {"limit": self.max_cells})

    def add_row(self) -> None:
        """Every row read counts, blank ones too (a sheet of empty rows is not free to read)."""
        self.rows += 1
        if self.inline_rows is not None and self.rows > self.inline_rows:
            from .imports import NeedsBackground

            raise NeedsBackground(self.rows)
        if self.rows > self.max_rows:
            raise ExcelRejected(_("数据行数超过上限 %(limit)d 行（空行也计入），请删除空行或分批导入")
                                % {"limit": self.max_rows})


@dataclass(frozen=True)
class Sheet:
    name: str
    visible: bool


class Book:
    """An opened file: its sheets, which one the office program shows, and rows of any sheet."""

    sheets: list[Sheet]
    active: int | None = None  # index of the sheet shown when the file was saved

    def rows(self, index: int, budget: Budget) -> Iterator[tuple[int, dict[int, object]]]:
        raise NotImplementedError

    def merged_ranges(self, index: int) -> list[str]:
        """Merged ranges (A1:C1) of a sheet; readers that cannot see merges return none."""
        return []

    def estimated_rows(self, index: int) -> int | None:
        """The sheet's own claim of its last row, for progress bars (None: the format does not say)."""
        return None

    def close(self) -> None:
        pass


def open_book(data: bytes, filename: str) -> Book:
    """Check the file as a whole and open it with the reader of its type. Raises ExcelRejected."""
    suffix = next((suffix for suffix in ACCEPTED if filename.lower().endswith(suffix)), None)
    if suffix is None:
        raise ExcelRejected(_("只接受 .xlsx、.xls、.ods 或 .csv 文件，请在 Excel 或 WPS 中另存为 .xlsx 后重新上传"))
    if not data:
        raise ExcelRejected(_("文件为空"))
    if len(data) > settings.XIACHEN_IMPORT_MAX_BYTES:
        limit = settings.XIACHEN_IMPORT_MAX_BYTES // (1024 * 1024)
        raise ExcelRejected(_("文件过大：不能超过 %(limit)d MB") % {"limit": limit})
    opener = {".xlsx": XlsxBook, ".xls": XlsBook, ".ods": OdsBook, ".csv": CsvBook}[suffix]
    return opener(data)


def _checked_zip(data: bytes, kind: str) -> zipfile.ZipFile:
    if not data.startswith(ZIP_MAGIC):
        raise ExcelRejected(_("文件内容不是 %(kind)s 格式（可能是改了扩展名的其他文件）") % {"kind": kind})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExcelRejected(_("文件已损坏，无法读取")) from None
    # zipfile never inflates an entry past its declared size, so this bounds every later read.
    if declared > settings.XIACHEN_IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise ExcelRejected(_("文件解压后过大（疑似压缩炸弹），已拒绝"))
    return archive


def _unreadable(kind: str) -> ExcelRejected:
    return ExcelRejected(_("文件已损坏或不是有效的 %(kind)s 文件，无法读取") % {"kind": kind})


# --- .xlsx -----------------------------------------------------------------------------------------


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"")
_LETTERS = re.compile(r"[A-Z]+")


class XlsxBook(Book):
    """openpyxl reads the workbook parts (sheet list, shared strings, date styles); the sheets are
    streamed by `rows` below, never by openpyxl's worksheet classes: its read-only worksheet parses
    a whole sheet when opened to find its size (unbounded work before any budget applies) and builds
    a Python object per cell (most of the cost of a large file)."""

    def __init__(self, data: bytes):
        self.archive = _checked_zip(data, ".xlsx")
        self._check_shared_strings()
        try:
            reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=False)
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            found = [(sheet, rel) for sheet, rel in reader.parser.find_sheets()]
        except Exception:  # openpyxl raises many types for a malformed package
            raise _unreadable(".xlsx") from None
        self.reader = reader
        self.strings = reader.shared_strings
        self.epoch = reader.wb.epoch
        # Private openpyxl attributes (its own reader uses them) that the stubs leave out.
        self.date_styles = set(reader.wb._date_formats)  # type: ignore[attr-defined]
        self.duration_styles = set(reader.wb._timedelta_formats)  # type: ignore[attr-defined]
        worksheets = [(position, sheet, rel) for position, (sheet, rel) in enumerate(found)
                      if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
        self.paths = [rel.target for _position, _sheet, rel in worksheets]
        self.sheets = [Sheet(sheet.name, (sheet.state or "visible") == "visible") for _p, sheet, _r in worksheets]
        active = reader.wb._active_sheet_index  # type: ignore[attr-defined]  # private, as above
        positions = [position for position, _sheet, _rel in worksheets]
        self.active = positions.index(active) if active in positions else None

    def _check_shared_strings(self) -> None:
        """openpyxl loads every shared string up front: count them (a cheap byte scan) before it does."""
        limit = settings.XIACHEN_IMPORT_MAX_CELLS
        for info in self.archive.infolist():
            if not info.filename.lower().endswith("sharedstrings.xml"):
                continue
            count, tail = 0, b""
            with self.archive.open(info) as source:
                while chunk := source.read(1 << 20):
                    window = tail + chunk
                    count += len(_SHARED_STRING.findall(window)) - len(_SHARED_STRING.findall(tail))
                    tail = window[-8:]
                    if count > limit:
                        raise ExcelRejected(_("文件中的文字条目过多（超过 %(limit)d 条），疑似异常文件，已拒绝")
                                            % {"limit": limit})

    def estimated_rows(self, index: int) -> int | None:
        with self.archive.open(self.paths[index]) as source:
            match = _DIMENSION.search(source.read(1 << 16))
        return int(match.group(1)) if match else None

    def rows(self, index: int, budget: Budget) -> Iterator[tuple[int, dict[int, object]]]:
        """Rows as the sheet XML holds them: only the cells present (never padding), each cell element
        counted, values typed like openpyxl does (shared strings, dates by style, booleans).

        Parsed with expat callbacks rather than an element tree (defusedxml's iterparse runs the
        pure-Python parser class: most of the cost of a large sheet); a DTD, and so any entity, is
        refused outright, which is what defusedxml guards against."""
        collector = _SheetCollector(self)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _forbid_dtd
        parser.EntityDeclHandler = _forbid_dtd
        parser.ExternalEntityRefHandler = _forbid_dtd
        parser.StartElementHandler = collector.start
        parser.EndElementHandler = collector.end
        parser.CharacterDataHandler = collector.text
        with self.archive.open(self.paths[index]) as source:
            while True:
                chunk = source.read(1 << 16)
                parser.Parse(chunk, not chunk)
                for number, values, cells in collector.rows:
                    budget.add_cells(cells)
                    yield number, values
                collector.rows.clear()
                if not chunk:
                    return

    def value(self, kind: str, raw: str | None, inline: list[str] | None, style: str | None) -> object:
        """A cell's value from its type attribute, <v> text, inline string parts and style index."""
        if kind == "inlineStr":
            return "".join(inline) if inline else None
        if raw is None or raw == "":
            return None
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "n":
            number = float(raw) if any(mark in raw for mark in ".eE") else int(raw)
            style_index = int(style) if style else 0
            if style_index in self.date_styles:
                return from_excel(number, self.epoch)
            if style_index in self.duration_styles:
                return from_excel(number, self.epoch, timedelta=True)
            return number
        if kind == "b":
            return raw.strip() not in ("0", "false")
        if kind == "d":
            return datetime.fromisoformat(raw.strip())
        return raw  # "str" (a formula's text, but formulas were caught) and "e" (#N/A and the like)

    def merged_ranges(self, index: int) -> list[str]:
        """Merges are not in the rows: find <mergeCell ref=…> in the sheet XML ourselves (streamed)."""
        refs: list[str] = []
        tail = b""
        with self.archive.open(self.paths[index]) as source:
            while chunk := source.read(1 << 20):
                window = tail + chunk
                refs += [m.decode() for m in _MERGE_REF.findall(window) if m.decode() not in refs]
                tail = window[-300:]
        return refs

    def close(self) -> None:
        self.reader.archive.close()


def _forbid_dtd(*_args: object) -> NoReturn:
    raise DTDForbidden("", None, None)


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
_TAG_ROW, _TAG_C, _TAG_V, _TAG_F, _TAG_IS, _TAG_T, _TAG_RPH = (
    _NS + name for name in ("row", "c", "v", "f", "is", "t", "rPh"))


class _SheetCollector:
    """expat callbacks that collect the rows of a sheet: (number, {column: value}, cells read)."""

    def __init__(self, book: "XlsxBook"):
        self.book = book
        self.rows: list[tuple[int, dict[int, object], int]] = []
        self.number = 0
        self.columns: dict[str, int] = {}
        self.values: dict[int, object] = {}
        self.cells = 0
        self.position = -1
        self.capture: list[str] | None = None
        self.in_inline = self.in_phonetic = False
        self.kind: str = "n"
        self.style: str | None = None
        self.raw: str | None = None
        self.inline: list[str] | None = None
        self.formula = False

    def start(self, tag: str, attrs: dict) -> None:
        if tag == _TAG_C:
            self.cells += 1
            reference = attrs.get("r")
            if reference:
                match = _LETTERS.match(reference)
                if match is None:  # read as unreadable, like any other malformed sheet XML
                    raise ValueError(f"cell reference {reference!r}")
                letters = match.group()
                position = self.columns.get(letters)
                if position is None:
                    position = self.columns[letters] = column_index_from_string(letters) - 1
                self.position = position
            else:
                self.position += 1
            self.kind, self.style = attrs.get("t", "n"), attrs.get("s")
            self.raw, self.inline, self.formula = None, None, False
        elif tag == _TAG_V or (tag == _TAG_T and self.in_inline and not self.in_phonetic):
            self.capture = []
        elif tag == _TAG_F:
            self.formula = True
        elif tag == _TAG_IS:
            self.in_inline, self.inline = True, []
        elif tag == _TAG_RPH:
            self.in_phonetic = True
        elif tag == _TAG_ROW:
            label = attrs.get("r")
            self.number = int(float(label)) if label else self.number + 1
            self.values, self.cells, self.position = {}, 0, -1

    def end(self, tag: str) -> None:
        if tag == _TAG_C:
            value = FORMULA if self.formula else self.book.value(self.kind, self.raw, self.inline, self.style)
            if value is not None and value != "":
                self.values[self.position] = value
        elif tag == _TAG_V and self.capture is not None:
            self.raw, self.capture = "".join(self.capture), None
        elif tag == _TAG_T and self.capture is not None:
            if self.inline is None:  # <t> captured outside <is>: malformed, read as unreadable
                raise ValueError("inline text outside an inline string")
            self.inline.append("".join(self.capture))
            self.capture = None
        elif tag == _TAG_IS:
            self.in_inline = False
        elif tag == _TAG_RPH:
            self.in_phonetic = False
        elif tag == _TAG_ROW:
            self.rows.append((self.number, self.values, self.cells))

    def text(self, data: str) -> None:
        if self.capture is not None:
            self.capture.append(data)


# --- .xls ------------------------------------------------------------------------------------------


class XlsBook(Book):
    """Legacy Excel 97–2003 through xlrd (2.x reads only .xls). Formula cells arrive as their results."""

    def __init__(self, data: bytes):
        import xlrd

        if not data.startswith(OLE_MAGIC):
            raise ExcelRejected(_("文件内容不是 %(kind)s 格式（可能是改了扩展名的其他文件）") % {"kind": ".xls"})
        try:
            self.book = xlrd.open_workbook(file_contents=data, on_demand=True, ragged_rows=True,
                                           logfile=io.StringIO())
            handles = [self.book.sheet_by_index(index) for index in range(self.book.nsheets)]
        except Exception:  # xlrd raises its own XLRDError and assorted struct errors
            raise _unreadable(".xls") from None
        self.handles = handles
        self.sheets = [Sheet(sheet.name, sheet.visibility == 0) for sheet in handles]
        # xlrd's `sheet_visible` (really "the active sheet") is set at run time; its stubs omit it.
        shown = [index for index, sheet in enumerate(handles) if sheet.sheet_visible]  # type: ignore[attr-defined]
        self.active = shown[0] if shown else None

    def estimated_rows(self, index: int) -> int | None:
        return self.handles[index].nrows

    def rows(self, index: int, budget: Budget) -> Iterator[tuple[int, dict[int, object]]]:
        import xlrd

        sheet = self.handles[index]
        for row in range(sheet.nrows):
            cells = sheet.row(row)
            budget.add_cells(len(cells))
            values: dict[int, object] = {}
            for column, cell in enumerate(cells):
                value: object = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:  # its value is the serial number, a float
                    value = xlrd.xldate.xldate_as_datetime(float(cell.value), self.book.datemode)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    continue
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    value = bool(value)
                if value != "":
                    values[column] = value
            yield row + 1, values

    def close(self) -> None:
        self.book.release_resources()


# --- .ods ------------------------------------------------------------------------------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_CONFIG = "urn:oasis:names:tc:opendocument:xmlns:config:1.0"


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


class OdsBook(Book):
    """OpenDocument spreadsheets (LibreOffice), streamed from content.xml with defusedxml.

    Repeated cells and rows (table:number-columns-repeated) are expanded only while they carry a
    value, and every repetition counts toward the budget.
    """

    def __init__(self, data: bytes):
        self.archive = _checked_zip(data, ".ods")
        try:
            self.sheets, self._hidden_styles = self._read_sheets()
            active_name = self._active_name()
        except UNREADABLE:
            raise _unreadable(".ods") from None
        names = [sheet.name for sheet in self.sheets]
        self.active = names.index(active_name) if active_name in names else None

    def _read_sheets(self) -> tuple[list[Sheet], set[str]]:
        hidden_styles: set[str] = set()
        sheets: list[Sheet] = []
        with self.archive.open("content.xml") as source:
            for event, element in iterparse(source, events=("start", "end")):
                if event == "start" and element.tag == _q(_TABLE, "table"):
                    style = element.get(_q(_TABLE, "style-name"))
                    sheets.append(Sheet(element.get(_q(_TABLE, "name"), ""), style not in hidden_styles))
                elif event == "end" and element.tag == _q(_STYLE, "style"):
                    properties = element.find(_q(_STYLE, "table-properties"))
                    if properties is not None and properties.get(_q(_TABLE, "display")) == "false":
                        hidden_styles.add(element.get(_q(_STYLE, "name")))
                    element.clear()
                elif event == "end" and element.tag == _q(_TABLE, "table-row"):
                    element.clear()
        return sheets, hidden_styles

    def _active_name(self) -> str | None:
        if "settings.xml" not in self.archive.namelist():
            return None
        with self.archive.open("settings.xml") as source:
            for _event, element in iterparse(source):
                if element.tag == _q(_CONFIG, "config-item") and element.get(_q(_CONFIG, "name")) == "ActiveTable":
                    return element.text
        return None

    def rows(self, index: int, budget: Budget) -> Iterator[tuple[int, dict[int, object]]]:
        table_index, number = -1, 0
        with self.archive.open("content.xml") as source:
            for event, element in iterparse(source, events=("start", "end")):
                if event == "start" and element.tag == _q(_TABLE, "table"):
                    table_index += 1
                elif event == "end" and element.tag == _q(_TABLE, "table-row"):
                    if table_index == index:
                        values = self._row_values(element, budget)
                        repeat = int(element.get(_q(_TABLE, "number-rows-repeated"), "1"))
                        if not values:  # LibreOffice writes the empty rest of a sheet as one repeated row
                            number += repeat
                        for _copy in range(repeat if values else 0):
                            number += 1
                            yield number, values
                    element.clear()
                elif event == "end" and element.tag == _q(_TABLE, "table") and table_index == index:
                    return

    def _row_values(self, row, budget: Budget) -> dict[int, object]:
        values: dict[int, object] = {}
        column = 0
        cells = [child for child in row if child.tag in (_q(_TABLE, "table-cell"), _q(_TABLE, "covered-table-cell"))]
        for cell in cells:
            repeat = int(cell.get(_q(_TABLE, "number-columns-repeated"), "1"))
            value = self._cell_value(cell)
            if value is None:
                budget.add_cells(1)
                column += repeat
                continue
            budget.add_cells(repeat)
            for offset in range(repeat):
                values[column + offset] = value
            column += repeat
        return values

    @staticmethod
    def _cell_value(cell) -> object:
        if cell.get(_q(_TABLE, "formula")) is not None:
            return FORMULA
        kind = cell.get(_q(_OFFICE, "value-type"))
        if kind in ("float", "percentage", "currency"):
            number = float(cell.get(_q(_OFFICE, "value")))
            return int(number) if number.is_integer() and abs(number) < 1e15 else number
        if kind == "date":
            return datetime.fromisoformat(cell.get(_q(_OFFICE, "date-value")))
        if kind == "boolean":
            return cell.get(_q(_OFFICE, "boolean-value")) == "true"
        paragraphs = ["".join(p.itertext()) for p in cell.iter(_q(_TEXT, "p"))]
        text = "\n".join(paragraphs)
        return text or None


# --- .csv ------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ExcelRejected(_("无法识别 CSV 文件的文字编码，请另存为“CSV UTF-8”或 .xlsx 后重新上传")) from None


class CsvBook(Book):
    """A CSV file as one sheet of text cells; the delimiter (comma, tab or semicolon) is detected."""

    def __init__(self, data: bytes):
        utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
        if data.startswith((ZIP_MAGIC, OLE_MAGIC)) or (b"\0" in data[:4096] and not utf16):
            raise ExcelRejected(_("文件内容不是 %(kind)s 格式（可能是改了扩展名的其他文件）") % {"kind": ".csv"})
        self.text = decode_text(data)
        self.sheets = [Sheet("CSV", True)]
        self.active = 0

    def estimated_rows(self, index: int) -> int | None:
        return self.text.count("\n") + 1

    def rows(self, index: int, budget: Budget) -> Iterator[tuple[int, dict[int, object]]]:
        first_line = self.text[:4096].split("\n", 1)[0]
        delimiter = max(",\t;", key=first_line.count)
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=delimiter)
        for number, record in enumerate(reader, start=1):
            budget.add_cells(len(record))
            yield number, {column: value for column, value in enumerate(record) if value != ""}
