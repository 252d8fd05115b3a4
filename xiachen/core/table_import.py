"""The shared skeleton of the Excel importers: read → validate → preview, or store all-or-nothing.

A subclass declares its columns, checks rows against the database (`validate`, appending
CellErrors to each row) and writes valid rows in bulk (`store`). `commit` re-validates inside the
transaction, so a file that became invalid since its preview stores nothing.
"""

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit

from .crypto import blind_index
from .excel import Column, SheetRow, Table, build_workbook, read_table, template_workbook
from .imports import CellError, ImportPreview, ImportRejected

PREVIEW_ROWS = 200
BATCH_SIZE = 1000
LOOKUP_CHUNK = 500  # stays below SQLite's bound-parameter limit on old builds


class TableImporter:
    kind: str = ""
    title: str = ""
    permission: str = ""
    audit_action: str = ""

    def columns(self) -> list[Column]:
        """The column specs; built per call because choice columns read vocabularies from the database."""
        raise NotImplementedError

    def validate(self, *, by, rows: list[SheetRow]) -> None:
        """Check rows against each other and the database; append CellErrors to `row.errors`."""
        raise NotImplementedError

    def store(self, *, by, rows: list[SheetRow]) -> int:
        """Write the validated rows in bulk and return how many records the import created."""
        raise NotImplementedError

    def template(self) -> bytes:
        return template_workbook(self.columns())

    def preview(self, *, by, data: bytes, filename: str, sheet: str | None = None) -> ImportPreview:
        """Parse and validate without writing. Raises ExcelRejected for a file refused as a whole,
        SheetChoiceNeeded when `sheet` is needed to tell which sheet holds the data."""
        return self._check(by=by, data=data, filename=filename, sheet=sheet)[0]

    def commit(self, *, by, data: bytes, filename: str, sheet: str | None = None) -> int:
        """Re-validate and store every row or none; one audit row with the count (never the values).

        Raises ImportRejected (nothing stored) when any cell has an error, ExcelRejected for a bad file,
        PermissionDenied when `by` lacks the import permission.
        """
        with transaction.atomic():
            preview, table = self._check(by=by, data=data, filename=filename, sheet=sheet)
            if not preview.ok:
                raise ImportRejected(preview)
            count = self.store(by=by, rows=table.rows)
            audit.record(actor=by, action=self.audit_action, fields={"rows": len(table.rows), "created": count})
        return count

    def error_workbook(self, *, by, data: bytes, filename: str, sheet: str | None = None) -> bytes:
        """Every row with an error, as the uploader wrote it, plus a column naming its errors; file-level
        errors first. The uploader fixes this file and uploads it again (bookkeeping columns dropped)."""
        preview, table = self._check(by=by, data=data, filename=filename, sheet=sheet)
        all_columns = self.columns()
        kept = [(i, c) for i, c in enumerate(all_columns) if c.key in table.headers] or list(enumerate(all_columns))
        headers = [_("行号"), *(str(table.headers.get(column.key, column.header)) for _i, column in kept),
                   _("错误原因")]
        by_row: dict[int, list[str]] = {}
        for error in preview.errors:
            text = f"{error.column}：{error.message}" if error.column else error.message
            by_row.setdefault(error.row, []).append(text)
        rows = [[number, *([""] * len(kept)), "；".join(messages)]
                for number, messages in by_row.items() if number not in {row.number for row in table.rows}]
        rows += [[row.number, *(_plain(row.raw[index]) for index, _c in kept), "；".join(by_row[row.number])]
                 for row in table.rows if row.number in by_row]
        return build_workbook(headers, rows, title=_("错误清单"))

    def _check(self, *, by, data: bytes, filename: str, sheet: str | None) -> tuple[ImportPreview, Table]:
        require_permission(by, self.permission)
        columns = self.columns()
        table = read_table(data, filename=filename, columns=columns, sheet=sheet)
        if table.rows and not table.errors:
            self.validate(by=by, rows=table.rows)
        row_errors = (error for row in table.rows for error in row.errors)
        errors = sorted_errors([*table.errors, *row_errors], columns)
        preview = ImportPreview(
            headers=[column.header for column in columns],
            rows=[display_row(row, columns) for row in table.rows[:PREVIEW_ROWS]],
            total_rows=len(table.rows),
            errors=errors,
            notices=table.notices,
            changed=changed_values(table.rows, columns)[:PREVIEW_ROWS],
        )
        return preview, table


def sorted_errors(errors: Iterable[CellError], columns: Sequence[Column]) -> list[CellError]:
    order = {column.header: index for index, column in enumerate(columns)}
    unique = dict.fromkeys(errors)
    return sorted(unique, key=lambda error: (error.row, order.get(error.column, -1)))


def display_row(row: SheetRow, columns: Sequence[Column]) -> list[str]:
    """The preview text of a row; columns with personal data mask through their `display`."""
    values = [row.values.get(column.key) for column in columns]
    pairs = zip(columns, values, strict=True)
    return ["" if value is None else column.display(value) for column, value in pairs]


def changed_values(rows: Sequence[SheetRow], columns: Sequence[Column]) -> list[tuple[int, str, str, str]]:
    """(row, column, value as stored and shown, why it differs from the cell) for the preview."""
    headers = {column.key: column for column in columns}
    return [
        (row.number, headers[key].header, headers[key].display(row.values[key]), note)
        for row in rows for key, note in (row.notes or {}).items() if row.values.get(key) is not None
    ]


def _plain(value: object) -> object:
    """A cell as read, for the error workbook: text, number or date; a formula shows as empty."""
    return value if isinstance(value, str | int | float | date | datetime) else ""


def chunked(items: Sequence, size: int = LOOKUP_CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def add_error(row: SheetRow, column: Column | str, message: str) -> None:
    header = column.header if isinstance(column, Column) else column
    row.errors.append(CellError(row.number, header, message))


def existing_id_indexes(rows: list[SheetRow], model) -> set[str]:
    """Set `row.values["id_index"]` (blind index of the parsed identity) and return those `model` holds."""
    for row in rows:
        identity = row.values["identity"]
        row.values["id_index"] = blind_index(identity.number, purpose="id_number") if identity else None
    indexes = sorted({row.values["id_index"] for row in rows if row.values["id_index"]})
    found: set[str] = set()
    for chunk in chunked(indexes):
        matches = model.objects.filter(id_number_index__in=chunk)
        found.update(matches.values_list("id_number_index", flat=True))
    return found


def check_duplicate_id(row: SheetRow, first_row_of: dict[str, int], existing: set[str],
                       existing_message: str) -> None:
    """An ID number seen on an earlier row names that row; one already stored gets `existing_message`."""
    index = row.values["id_index"]
    if not index:
        return
    if index in first_row_of:
        add_error(row, "身份证号", _("身份证号与第%(row)d行重复") % {"row": first_row_of[index]})
    elif index in existing:
        add_error(row, "身份证号", existing_message)
    first_row_of.setdefault(index, row.number)
