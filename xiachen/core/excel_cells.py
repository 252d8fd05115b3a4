"""Cell parsers for Excel imports: each takes a non-empty cell value and returns a typed value.

A parser raises `CellInvalid` with a Chinese reason that never repeats a full ID number or phone
(the reason is shown on a page and may reach a log). Factories (`text`, `choice`, …) build parsers.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from . import idnumbers
from .idnumbers import IdentityFacts, InvalidIdentity
from .masking import mask_id_number, mask_phone
from .text import clean_person_name, clean_text

Parser = Callable[[object], object]
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．－", "0123456789.-")
LIST_SEPARATORS = re.compile(r"[、，,;；]+")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MAX_SERIAL = 2958465  # 9999-12-31


class CellInvalid(ValueError):
    """A cell's value is unusable; the message is Chinese and safe to show."""


@dataclass(frozen=True)
class Normalized:
    """A parsed value that differs from the cell's text, with the Chinese reason the preview shows."""

    value: object
    note: str


def _as_text(value: object) -> str:
    """Numbers Excel stored for what is really text (101.0 → "101"), full-width digits to ASCII,
    invisible characters removed and spaces and line breaks made one space (`text.clean_text`)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value).translate(FULL_WIDTH_DIGITS))


def _as_identifier(value: object) -> str:
    """`_as_text` without the leading apostrophe that marks text in Excel but stays in CSV and
    LibreOffice exports ('420102…), nor any space inside (an ID typed in groups of digits)."""
    return re.sub(r"\s+", "", _as_text(value)).lstrip("'\u2018\u2019`")


def text(max_length: int) -> Parser:
    def parse(value: object) -> str:
        result = _as_text(value)
        if len(result) > max_length:
            raise CellInvalid(_("内容过长：最多 %(limit)d 个字") % {"limit": max_length})
        return result

    return parse


def person_name(max_length: int) -> Parser:
    """A person's name: `text.clean_person_name` (周　七 → 周七); the preview says what changed and why."""

    def parse(value: object) -> str | Normalized:
        name, reasons = clean_person_name(_as_text(value) if not isinstance(value, str) else value)
        if not name:
            raise CellInvalid(_("必填项为空"))
        if len(name) > max_length:
            raise CellInvalid(_("内容过长：最多 %(limit)d 个字") % {"limit": max_length})
        return Normalized(name, "；".join(reasons)) if reasons else name

    return parse


def code(max_length: int) -> Parser:
    """An identifier: NFKC-normalized, no spaces, letters digits - _ only (it becomes part of a path)."""

    def parse(value: object) -> str:
        result = unicodedata.normalize("NFKC", _as_identifier(value))
        if not re.fullmatch(r"[A-Za-z0-9_-]+", result):
            raise CellInvalid(_("代码只能包含字母、数字、- 和 _"))
        if len(result) > max_length:
            raise CellInvalid(_("内容过长：最多 %(limit)d 个字") % {"limit": max_length})
        return result

    return parse


def id_number(value: object) -> IdentityFacts:
    """Validate per GB 11643 (check digit, birth date, region); numbers Excel mangled are refused."""
    if isinstance(value, int) and not isinstance(value, bool) and len(str(value)) > 15:
        value = float(value)  # Excel cannot hold 18 digits in a number: the tail is already lost
    if isinstance(value, str):
        value = _as_identifier(value)
    try:
        return idnumbers.parse_id_number(value)
    except InvalidIdentity as invalid:
        raise CellInvalid(str(invalid)) from None


def mobile(value: object) -> str:
    if isinstance(value, str):
        value = _as_identifier(value).removeprefix("+86").removeprefix("0086")
    try:
        return idnumbers.parse_mobile(value)
    except InvalidIdentity as invalid:
        raise CellInvalid(str(invalid)) from None


def excel_date(value: object) -> date:
    """A real date cell, an Excel serial (45352), or text 2024-03-01 / 2024/3/1 / 2024年3月1日 / 20240301."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(value)
    raw = _as_text(value)
    if re.fullmatch(r"\d{5}", raw):
        return _from_serial(int(raw))
    match = _DATE_TEXT.match(raw) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", raw)
    if not match:
        raise CellInvalid(_("日期格式无法识别，请填写如 2024-03-01"))
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellInvalid(_("日期不存在")) from None


def _from_serial(serial: float) -> date:
    if not 1 <= serial <= _MAX_SERIAL:
        raise CellInvalid(_("日期格式无法识别，请填写如 2024-03-01"))
    return from_excel(serial).date()


def decimal_range(minimum: int, maximum: int, places: int = 6) -> Parser:
    def parse(value: object) -> Decimal:
        try:
            number = Decimal(str(value) if isinstance(value, int | float) else _as_text(value))
        except InvalidOperation:
            raise CellInvalid(_("应为数字")) from None
        if not number.is_finite() or not minimum <= number <= maximum:
            raise CellInvalid(_("应在 %(min)s 到 %(max)s 之间") % {"min": minimum, "max": maximum})
        return number.quantize(Decimal(1).scaleb(-places))

    return parse


def _choice_key(value: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", _as_text(value))).lower()


def choice(options: Iterable[tuple[object, Iterable[str]]]) -> Parser:
    """Match a label or code (case-, width- and space-insensitive). `options`: (value, [names…])."""
    lookup: dict[str, object] = {}
    labels: list[str] = []
    for value, names in options:
        names = [str(name) for name in names if name]
        labels.append(names[0])
        for name in names:
            lookup.setdefault(_choice_key(name), value)

    def parse(raw: object) -> object:
        found = lookup.get(_choice_key(raw))
        if found is not None:
            return found
        shown = _as_text(raw)[:10]  # never long enough to echo an ID number or phone
        if len(labels) > 10:
            raise CellInvalid(_("无法识别「%(value)s」，请填写“填写说明”中列出的名称") % {"value": shown})
        listed = "、".join(labels)
        raise CellInvalid(_("无法识别「%(value)s」，可填：%(choices)s") % {"value": shown, "choices": listed})

    return parse


def multi_choice(options: Iterable[tuple[object, Iterable[str]]]) -> Parser:
    """Several choices separated by 、，, ; (returns a de-duplicated list in input order)."""
    single = choice(options)

    def parse(raw: object) -> list:
        values = [single(part) for part in LIST_SEPARATORS.split(_as_text(raw)) if part]
        return list(dict.fromkeys(values))

    return parse


def vocabulary_options(queryset) -> list[tuple[object, list[str]]]:
    """Options for `choice` from a Vocabulary model: Chinese label, code, English label, and each half of
    a label like "公共卫生 / 疾控"."""
    options = []
    for entry in queryset:
        parts = [part.strip() for part in entry.name_zh.split("/")] if "/" in entry.name_zh else []
        options.append((entry, [entry.name_zh, entry.code, entry.name_en, *parts]))
    return options


def choices_options(choices) -> list[tuple[object, list[str]]]:
    """Options for `choice` from Django TextChoices / IntegerChoices: label and value."""
    return [(member.value, [str(member.label), str(member.value)]) for member in choices]


# --- preview display (personal data masked) ------------------------------------------------------


def show_id_number(facts: IdentityFacts) -> str:
    return mask_id_number(facts.number)


def show_phone(number: str) -> str:
    return mask_phone(number)


def show_list(values: Iterable[object]) -> str:
    return "、".join(str(value) for value in values)


def show_date(value: date) -> str:
    return value.isoformat()


def show_choice(choices) -> Callable[[object], str]:
    labels = {member.value: str(member.label) for member in choices}
    return lambda value: labels.get(value, str(value))
