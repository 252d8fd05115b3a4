"""Exports that may run in the background, declared by the app that owns the data.

An app declares a kind in its `downloads.py` with `register(DownloadKind(...))`. The kind counts
the rows a request would export (cheap: one COUNT) so the list page can serve small exports at once
and send large ones to the worker (`inline_rows()`), and builds the file from the same filters.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise

from .enums import DownloadKindCode

# (percent 0–100, Chinese note) → None
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class DownloadKind:
    code: str  # a DownloadKindCode (its label names the export)
    filename: str
    permission: str  # needed to ask for the masked export
    full_permission: str  # needed for the full one (the build narrows to its scope)
    count: Callable[..., int]  # (user, params) → rows
    build: Callable[..., bytes]  # (by=, params=, full=, progress=) → file bytes; audits itself
    back_url: str  # the list the user came from (URL name)

    @property
    def label(self) -> str | Promise:
        return DownloadKindCode(self.code).label


KINDS: dict[str, DownloadKind] = {}


def register(kind: DownloadKind) -> None:
    KINDS[kind.code] = kind


def get_kind(code: str) -> DownloadKind | None:
    return KINDS.get(code)


def inline_rows() -> int:
    """Exports up to this many rows are built in the request; larger ones in the background. 5,000
    rows build in about a second on a busy two-core machine (bench/results/pages_*.json)."""
    return getattr(settings, "XIACHEN_EXPORT_INLINE_ROWS", 5000)
