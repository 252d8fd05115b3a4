"""The shared skeleton of the Excel importers: read → validate → preview, or stage → store all-or-nothing.

A subclass declares its columns, checks rows against the database and each other (`validate`,
appending CellErrors to each row) and turns valid rows into unsaved model instances (`build`).
Rows are streamed and handled `chunk_rows` at a time (ADR 1711): only the current chunk's rows are
held, plus what `validate` keeps in `state` across chunks (the ID numbers seen so far, …), so a
100,000-row file never has 100,000 rows of Python objects in memory. The preview keeps the first
PREVIEW_ROWS rows (masked) and every error.

`commit` re-validates the file and stages the instances batch by batch in short transactions, then
moves them into their tables in one short final transaction (xiachen.core.staging, ADR 1712): a
file that became invalid since its preview stores nothing, and other writers are not locked out
for the length of the import. An importer with `staged = False` stores through `store` in one
transaction instead (staff accounts: each one is created and audited on its own).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import islice

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit

from .crypto import blind_index
from .excel import Column, SheetRow, build_workbook, open_table, template_workbook
from .imports import CellError, ImportPreview, ImportRejected
from .spreadsheets import Budget

PREVIEW_ROWS = 200
BATCH_SIZE = 1000
LOOKUP_CHUNK = 500  # stays below SQLite's bound-parameter limit on old builds
CHUNK_ROWS = 2000  # rows validated (and staged) at a time
Progress = Callable[[int, str], None]  # (percent 0–100, Chinese note)


class TableImporter:
    kind: str = ""
    title: str | Promise = ""
    permission: str = ""
    audit_action: str = ""
    chunk_rows: int = CHUNK_ROWS
    staged: bool = True

    def columns(self) -> list[Column]:
        """The column specs; built per call because choice columns read vocabularies from the database."""
        raise NotImplementedError

    def validate(self, *, by, rows: list[SheetRow], state: dict) -> None:
        """Check a chunk of rows against each other, the rows of earlier chunks (through `state`, kept
        for the whole file) and the database; append CellErrors to `row.errors`."""
        raise NotImplementedError

    def build(self, *, by, rows: list[SheetRow], state: dict) -> Iterable[models.Model]:
        """Unsaved instances for a chunk of valid rows, in insertion order (a row's dependencies first;
        instances of one model together). Foreign keys may point to instances built earlier."""
        raise NotImplementedError

    def store(self, *, by, rows: list[SheetRow]) -> int:
        """Only for `staged = False`: write the validated rows; return how many records were created."""
        raise NotImplementedError

    def template(self) -> bytes:
        return template_workbook(self.columns())

    def preview(self, *, by, data: bytes, filename: str, sheet: str | None = None,
                progress: Progress | None = None, inline_rows: int | None = None) -> ImportPreview:
        """Parse and validate without writing. Raises ExcelRejected for a file refused as a whole,
        SheetChoiceNeeded when `sheet` is needed to tell which sheet holds the data, NeedsBackground
        past `inline_rows` rows (a request's share; the worker previews the file instead)."""
        return self._scan(by=by, data=data, filename=filename, sheet=sheet, progress=progress,
                          budget=Budget(inline_rows=inline_rows))

    def commit(self, *, by, data: bytes, filename: str, sheet: str | None = None, pending=None,
               progress: Progress | None = None, final: Callable[[], None] | None = None) -> int:
        """Re-validate and store every row or none; one audit row with the count (never the values).
        Returns the number of records created.

        `pending` (the PendingImport of the upload) holds the staged batches; without one a
        temporary one is used. `final` runs inside the final transaction (the caller's bookkeeping).
        Raises ImportRejected (nothing stored) when any cell has an error, ExcelRejected for a bad
        file, PermissionDenied when `by` lacks the import permission, IntegrityError (nothing
        stored) when a conflicting row was stored by someone else since the validation.
        """
        if not self.staged:
            return self._commit_at_once(by=by, data=data, filename=filename, sheet=sheet, final=final)
        from . import staging
        from .models import ImportStatus, PendingImport

        temporary = pending is None
        if temporary:
            pending = PendingImport.objects.create(kind=self.kind, uploaded_by=by, filename=filename[:200],
                                                   status=ImportStatus.COMMITTING)
        try:
            staging.discard_staged(pending)  # a retried commit starts clean
            stager = staging.Stager(pending)
            preview = self._scan(by=by, data=data, filename=filename, sheet=sheet, stager=stager,
                                 progress=_scaled(progress, 0, 90))
            if not preview.ok:
                raise ImportRejected(preview)
            with transaction.atomic():
                staging.move_staged(pending, progress=_moved(progress))
                audit.record(actor=by, action=self.audit_action,
                             fields={"rows": preview.total_rows, "created": preview.total_rows})
                if final is not None:
                    final()
                if temporary:
                    pending.delete()
        except BaseException:
            if temporary:
                pending.delete()
            else:
                staging.discard_staged(pending)
            raise
        return preview.total_rows

    def _commit_at_once(self, *, by, data: bytes, filename: str, sheet: str | None, final) -> int:
        with transaction.atomic():
            rows: list[SheetRow] = []
            preview = self._scan(by=by, data=data, filename=filename, sheet=sheet, keep=rows)
            if not preview.ok:
                raise ImportRejected(preview)
            count = self.store(by=by, rows=rows)
            audit.record(actor=by, action=self.audit_action, fields={"rows": len(rows), "created": count})
            if final is not None:
                final()
        return count

    def error_workbook(self, *, by, data: bytes, filename: str, sheet: str | None = None) -> bytes:
        """Every row with an error, as the uploader wrote it, plus a column naming its errors; file-level
        errors first. The uploader fixes this file and uploads it again (bookkeeping columns dropped)."""
        wrong: list[SheetRow] = []
        headers_found: dict = {}
        preview = self._scan(by=by, data=data, filename=filename, sheet=sheet, wrong=wrong, headers=headers_found)
        all_columns = self.columns()
        kept = [(i, c) for i, c in enumerate(all_columns) if c.key in headers_found] or list(enumerate(all_columns))
        headers = [_("行号"), *(str(headers_found.get(column.key, column.header)) for _i, column in kept),
                   _("错误原因")]
        by_row: dict[int, list[str]] = {}
        for error in preview.errors:
            text = f"{error.column}：{error.message}" if error.column else error.message
            by_row.setdefault(error.row, []).append(text)
        numbers = {row.number for row in wrong}
        rows = [[number, *([""] * len(kept)), "；".join(messages)]
                for number, messages in by_row.items() if number not in numbers]
        rows += [[row.number, *(_plain(row.raw[index]) for index, _c in kept), "；".join(by_row[row.number])]
                 for row in wrong if row.number in by_row]
        return build_workbook(headers, rows, title=_("错误清单"))

    def _scan(self, *, by, data: bytes, filename: str, sheet: str | None, stager=None, progress=None,
              keep: list | None = None, wrong: list | None = None, headers: dict | None = None,
              budget: Budget | None = None) -> ImportPreview:
        """Read, validate and (with `stager`, while no error is found) stage the file chunk by chunk.
        `keep` receives every row, `wrong` the rows with errors, `headers` the headers as written."""
        require_permission(by, self.permission)
        columns = self.columns()
        preview = ImportPreview(headers=[column.header for column in columns])
        errors: list[CellError] = []
        state: dict = {}
        with open_table(data, filename=filename, columns=columns, sheet=sheet, budget=budget) as table:
            preview.notices = table.notices
            errors += table.errors
            if headers is not None:
                headers.update(table.headers)
            stream = iter(() if table.errors else table.stream)
            while chunk := list(islice(stream, self.chunk_rows)):
                self.validate(by=by, rows=chunk, state=state)
                chunk_errors = [error for row in chunk for error in row.errors]
                errors += chunk_errors
                preview.total_rows += len(chunk)
                room = PREVIEW_ROWS - len(preview.rows)
                preview.rows += [display_row(row, columns) for row in chunk[:max(room, 0)]]
                if len(preview.changed) < PREVIEW_ROWS:
                    preview.changed += changed_values(chunk, columns)[:PREVIEW_ROWS - len(preview.changed)]
                if keep is not None:
                    keep += chunk
                if wrong is not None:
                    wrong += [row for row in chunk if row.errors]
                if stager is not None and not errors:
                    for instance in self.build(by=by, rows=chunk, state=state):
                        stager.add(instance)
                    stager.flush()
                if progress is not None:
                    progress(_percent(table.budget.rows, table.estimated_rows),
                             _("已检查 %(rows)d 行") % {"rows": preview.total_rows})
            if not table.errors and preview.total_rows == 0:
                first = table.header_row + 1
                errors.append(CellError(first, "", _("没有数据行：请从第%(row)d行开始填写") % {"row": first}))
        preview.errors = sorted_errors(errors, columns)
        return preview


def _percent(done: int, estimated: int | None) -> int:
    """Progress through the sheet; without an estimate it creeps toward 95 % (never claims the end)."""
    if estimated and estimated > 0:
        return min(99, done * 100 // estimated)
    return min(95, done * 100 // (done + 20_000))


def _scaled(progress: Progress | None, low: int, high: int) -> Progress | None:
    if progress is None:
        return None
    return lambda percent, note: progress(low + percent * (high - low) // 100, note)


def _moved(progress: Progress | None):
    if progress is None:
        return None
    return lambda done, total: progress(90 + 9 * done // max(total, 1), _("正在写入"))


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
