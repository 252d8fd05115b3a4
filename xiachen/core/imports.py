"""The upload → preview → commit flow shared by every Excel import.

An importer (see `Importer`) parses and validates without writing (`preview`) and commits
all-or-nothing (`commit`); the page between them shows what will be stored and every cell error.
"""

import base64
from dataclasses import dataclass, field
from typing import Protocol

from django.db import transaction

from .models import PendingImport


@dataclass(frozen=True)
class CellError:
    row: int  # the spreadsheet row number as Excel shows it (header is row 1)
    column: str  # the Chinese header of the column, or "" for a whole-row / whole-file problem
    message: str


@dataclass
class ImportPreview:
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # display values, personal data masked
    total_rows: int = 0
    errors: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.total_rows > 0


class ImportRejected(Exception):
    """Raised by `commit` when the file has errors; nothing was stored."""

    def __init__(self, preview: ImportPreview):
        super().__init__(f"{len(preview.errors)} errors")
        self.preview = preview


class Importer(Protocol):
    kind: str
    title: str
    permission: str

    def template(self) -> bytes: ...

    def preview(self, *, by, data: bytes, filename: str) -> ImportPreview: ...

    def commit(self, *, by, data: bytes, filename: str) -> int: ...


def stash_upload(*, by, kind: str, data: bytes, filename: str) -> PendingImport:
    """Keep an uploaded file (encrypted) until the user confirms the preview."""
    content = base64.b64encode(data).decode()
    return PendingImport.objects.create(kind=kind, uploaded_by=by, filename=filename[:200], content=content)


def unstash_upload(pending: PendingImport) -> bytes:
    return base64.b64decode(pending.content)


@transaction.atomic
def commit_pending(*, by, importer: Importer, pending: PendingImport) -> int:
    """Commit a previewed upload and forget the file; raises ImportRejected (nothing stored) on errors."""
    count = importer.commit(by=by, data=unstash_upload(pending), filename=pending.filename)
    pending.delete()
    return count
