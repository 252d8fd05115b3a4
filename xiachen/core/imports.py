"""The upload → preview → commit flow shared by every Excel import.

An importer (see `Importer`) parses and validates without writing (`preview`) and commits
all-or-nothing (`commit`); the page between them shows what will be stored and every cell error.
"""

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise

from .models import ImportStatus, PendingImport

ERRORS_SHOWN_PER_KIND = 5
_VARYING = re.compile(r"「[^」]*」|\d+")


@dataclass(frozen=True)
class CellError:
    row: int  # the spreadsheet row number as Excel shows it (header is row 1)
    column: str  # the Chinese header of the column, or "" for a whole-row / whole-file problem
    message: str


@dataclass
class ErrorKind:
    """Errors of one kind (same column, same message but for the values it quotes) and the first rows."""

    column: str
    message: str  # the first error's message
    count: int
    examples: list[CellError]


@dataclass
class ImportPreview:
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # display values, personal data masked
    total_rows: int = 0
    errors: list[CellError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # which sheet and header row were read
    changed: list[tuple[int, str, str, str]] = field(default_factory=list)  # row, column, stored, why
    kept_kinds: list[ErrorKind] | None = None  # set by `from_summary`: `errors` then holds only examples
    kept_error_count: int | None = None

    @property
    def error_count(self) -> int:
        return len(self.errors) if self.kept_error_count is None else self.kept_error_count

    @property
    def ok(self) -> bool:
        return not self.error_count and self.total_rows > 0

    @property
    def error_kinds(self) -> list[ErrorKind]:
        """Errors grouped by kind, in order of first appearance, each with its first few rows; the page
        stays small however many rows are wrong (the full list is a download)."""
        if self.kept_kinds is not None:
            return self.kept_kinds
        kinds: dict[tuple[str, str], ErrorKind] = {}
        for error in self.errors:
            key = (error.column, _VARYING.sub("…", error.message))
            kind = kinds.get(key)
            if kind is None:
                kind = kinds[key] = ErrorKind(error.column, error.message, 0, [])
            kind.count += 1
            if len(kind.examples) < ERRORS_SHOWN_PER_KIND:
                kind.examples.append(error)
        return list(kinds.values())

    def summary(self) -> str:
        """What the import page needs to show this preview later (JSON; rows already masked)."""
        kinds = [{"column": kind.column, "message": kind.message, "count": kind.count,
                  "examples": [[error.row, error.column, error.message] for error in kind.examples]}
                 for kind in self.error_kinds]
        return json.dumps({"headers": self.headers, "rows": self.rows, "total_rows": self.total_rows,
                           "notices": [str(notice) for notice in self.notices], "changed": self.changed,
                           "error_count": self.error_count, "kinds": kinds}, ensure_ascii=False, default=str)

    @classmethod
    def from_summary(cls, text: str) -> "ImportPreview":
        data = json.loads(text)
        kinds = [ErrorKind(kind["column"], kind["message"], kind["count"],
                           [CellError(*example) for example in kind["examples"]]) for kind in data["kinds"]]
        return cls(headers=data["headers"], rows=data["rows"], total_rows=data["total_rows"],
                   errors=[error for kind in kinds for error in kind.examples], notices=data["notices"],
                   changed=[tuple(change) for change in data["changed"]], kept_kinds=kinds,
                   kept_error_count=data["error_count"])


class NeedsBackground(Exception):
    """The file has more rows than a request handles (XIACHEN_IMPORT_INLINE_ROWS): hand it to the worker."""


class ImportRejected(Exception):
    """Raised by `commit` when the file has errors; nothing was stored."""

    def __init__(self, preview: ImportPreview):
        super().__init__(f"{len(preview.errors)} errors")
        self.preview = preview


class Importer(Protocol):
    kind: str
    permission: str

    @property
    def title(self) -> str | Promise: ...  # usually gettext_lazy(...), read only

    def template(self) -> bytes: ...

    def preview(self, *, by, data: bytes, filename: str, sheet: str | None = None, progress=None,
                inline_rows: int | None = None) -> ImportPreview: ...

    def commit(self, *, by, data: bytes, filename: str, sheet: str | None = None, pending=None, progress=None,
               final=None) -> int: ...

    def error_workbook(self, *, by, data: bytes, filename: str, sheet: str | None = None) -> bytes: ...


_IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    """Make `importer` known by its kind to the background worker (each app's importers.py)."""
    _IMPORTERS[importer.kind] = importer
    return importer


def importer_for(kind: str) -> Importer:
    from django.utils.module_loading import autodiscover_modules

    if kind not in _IMPORTERS:
        autodiscover_modules("importers")
    return _IMPORTERS[kind]


def stash_upload(*, by, kind: str, data: bytes, filename: str, sheet: str = "") -> PendingImport:
    """Keep an uploaded file (encrypted) until the user confirms the preview or `purge_pending` drops it.

    The same user's earlier uploads of the same kind are dropped (a new upload replaces them), except
    one the worker is handling (it finishes, then the next upload replaces it).
    """
    earlier = PendingImport.objects.filter(kind=kind, uploaded_by=by)
    earlier.exclude(status__in=(ImportStatus.PREVIEWING, ImportStatus.COMMITTING)).delete()  # the worker's stay
    content = base64.b64encode(data).decode()
    return PendingImport.objects.create(kind=kind, uploaded_by=by, filename=filename[:200], content=content,
                                        sheet=sheet[:100])


def unstash_upload(pending: PendingImport) -> bytes:
    return base64.b64decode(pending.content)


def purge_pending(*, now=None) -> int:
    """Delete unconfirmed uploads older than XIACHEN_PENDING_IMPORT_MAX_AGE; return how many.

    An upload holds a whole file of ID numbers and phones (encrypted): it is kept for the preview and
    its confirmation, not for ever (scheduled hourly, xiachen/ops/schedule.py).
    """
    cutoff = (now or timezone.now()) - timedelta(hours=settings.XIACHEN_PENDING_IMPORT_MAX_AGE_HOURS)
    old = PendingImport.objects.filter(created_at__lt=cutoff)
    _deleted, by_model = old.exclude(status__in=(ImportStatus.PREVIEWING, ImportStatus.COMMITTING)).delete()
    return by_model.get(PendingImport._meta.label, 0)


def commit_pending(*, by, importer: Importer, pending: PendingImport, progress=None, check=None) -> int:
    """Commit a previewed upload and forget the file (in the final transaction, with the rows);
    raises ImportRejected (nothing stored) on errors. The upload stays as DONE with the count, for
    the import page to show, until the user's next upload of the kind or the purge. `check` runs
    first in the final transaction and may raise to store nothing (the worker's lease fencing)."""

    def done() -> None:
        if check is not None:
            check()
        pending.status, pending.progress, pending.content, pending.summary = ImportStatus.DONE, 100, "", ""
        pending.progress_note = ""
        pending.save(update_fields=["status", "progress", "content", "summary", "progress_note", "updated_at"])

    data = unstash_upload(pending)
    count = importer.commit(by=by, data=data, filename=pending.filename, sheet=pending.sheet or None,
                            pending=pending, progress=progress, final=done)
    pending.created_count = count
    PendingImport.objects.filter(pk=pending.pk).update(created_count=count)
    return count
