"""Pagination: bounded limit/offset for the API, keyset (cursor) pages for large HTML lists.

Keyset pages never count and never OFFSET: a page is "the next 50 rows after this row in this order",
one indexed range read however deep the reader goes, and the page shows "more" instead of a total
(a COUNT(*) over millions of scans or tickets is the slow part of an ordinary paginator).
"""

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
KEYSET_PAGE_SIZE = 50
AFTER, BEFORE = "after", "before"  # the query parameters that carry a cursor


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


@dataclass
class KeysetPage:
    """One page of rows plus the cursors around it (template: components/keyset_pager.html).

    `querystring` is the request's other parameters (filters), to be kept by the pager's links.
    """

    items: list
    next_cursor: str = ""
    previous_cursor: str = ""
    is_first: bool = True
    querystring: str = ""
    per_page: int = KEYSET_PAGE_SIZE
    after_param: str = AFTER
    before_param: str = BEFORE

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def object_list(self) -> list:  # the name Django's Page uses, so callers need not care which page they got
        return self.items

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)


def _first_rows(rows: QuerySet, limit: int) -> list:
    """The first `limit` objects of the ordered `rows`, found by primary key first.

    Ordering and limiting the keys alone lets the database read an index that holds the filter and
    the order (e.g. a scan's gate path and time) and sort nothing but keys; selecting whole rows
    (with their joins) made SQLite fetch and sort every row in scope first. The second query loads
    only the page's rows, with the queryset's joins.
    """
    keys = list(rows.values_list("pk", flat=True)[:limit])
    found = {item.pk: item for item in rows.order_by().filter(pk__in=keys)}
    return [found[key] for key in keys if key in found]


def keyset_page(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    ordering: Sequence[str],
    per_page: int = KEYSET_PAGE_SIZE,
    prefix: str = "",
) -> KeysetPage:
    """The page of `queryset` in `ordering` that the request's `after`/`before` cursor points at.

    `ordering` is a list of field names ("-" for descending), possibly across relations, whose last
    entries make the order total (end it with the primary key); none of them may be NULL. A cursor
    that does not decode is the first page, so an edited or stale link never errors. Two lists on
    one page take different `prefix`es (their cursors are `<prefix>after` / `<prefix>before`); the
    pager's links keep the other list's cursor and every filter.
    """
    keys = [name.removeprefix("-") for name in ordering]
    after_param, before_param = f"{prefix}{AFTER}", f"{prefix}{BEFORE}"
    params = request.GET.copy()
    after = _decode(params.pop(after_param, [""])[-1], len(keys))
    before = _decode(params.pop(before_param, [""])[-1], len(keys))
    querystring = params.urlencode()
    forward = before is None
    cursor = after if forward else before
    rows = queryset.order_by(*(ordering if forward else [_flip(name) for name in ordering]))
    if cursor is not None:
        try:
            rows = rows.filter(_beyond(ordering, cursor, forward=forward))
            items = _first_rows(rows, per_page + 1)
        except (ValidationError, ValueError, TypeError):
            cursor, forward = None, True
            items = _first_rows(queryset.order_by(*ordering), per_page + 1)
    else:
        items = _first_rows(rows, per_page + 1)
    more = len(items) > per_page
    items = items[:per_page]
    if not forward:
        items.reverse()
    page = KeysetPage(
        items=items, querystring=querystring, per_page=per_page, is_first=cursor is None,
        after_param=after_param, before_param=before_param,
    )
    if items and (more or not forward):
        page.next_cursor = _encode(items[-1], keys)
    if items and cursor is not None and (forward or more):
        page.previous_cursor = _encode(items[0], keys)
    return page


def _flip(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def _beyond(ordering: Sequence[str], values: list, *, forward: bool) -> Q:
    """Rows strictly after (or before) `values` in `ordering`: (a > x) or (a = x and b > y) or …"""
    condition = Q(pk__in=[])
    equal = Q()
    for name, value in zip(ordering, values, strict=True):
        descending = name.startswith("-") == forward
        key = name.removeprefix("-")
        condition |= equal & Q(**{f"{key}__{'lt' if descending else 'gt'}": value})
        equal &= Q(**{key: value})
    return condition


def _value_of(row, key: str):
    """The row's value for an ordering key; keys across relations need select_related (no query)."""
    for part in key.split("__"):
        row = row.pk if part == "pk" else getattr(row, part)
    return row


class _CursorEncoder(json.JSONEncoder):
    # Not DjangoJSONEncoder: it cuts datetimes to milliseconds, and a cursor must be exact or rows
    # sharing the millisecond would be skipped or shown twice.
    def default(self, o):
        if isinstance(o, datetime | date | time):
            return o.isoformat()
        if isinstance(o, Decimal | UUID):
            return str(o)
        return super().default(o)


def _encode(row, keys: list[str]) -> str:
    values = [_value_of(row, key) for key in keys]
    raw = json.dumps(values, cls=_CursorEncoder, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, length: int) -> list | None:
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != length:
        return None
    if any(value is None or isinstance(value, dict | list) for value in values):
        return None
    return values
