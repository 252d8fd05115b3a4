"""The one normalizer for text entering the platform: form fields (see `forms.use_clean_text`) and imports.

Office files and pasted text carry characters nobody meant to type: a byte-order mark copied from
a CSV, zero-width spaces from web pages, ideographic spaces (U+3000) used to pad two-character
names to the width of three, line breaks typed inside a cell (Alt+Enter). Kept, they make a stored
name differ from the one people search for ("周　七" is not found by 周七).

- `clean_text`: invisible characters removed, every kind of space and (for one-line text) line
  break made one ASCII space, runs collapsed, ends stripped.
- `clean_person_name`: `clean_text`, then spaces between Chinese characters removed and the
  variants of the middle dot in minority names (阿依古丽·买买提) made "·"; returns the reasons.
- `name_query`: a name search as typed, normalized like stored names (search 周　七 or 周 七, find 周七).
- `clean_stored_text`: the data migrations' pass over text stored before the normalizer existed.
- `fold_key`: the matching key of a unit or department name (width, brackets, spaces folded).
- `closest`: the most similar existing name, for "did you mean" in an error.
"""

import difflib
import re
import unicodedata
from collections.abc import Iterable

# Format characters (Unicode category Cf: BOM, zero-width space/joiners, bidi marks, soft hyphen)
# and C0/C1 controls except tab and line breaks, which `clean_text` turns into spaces.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
# The characters of _INVISIBLE that str.isprintable() accepts (letters and marks that render as nothing).
_PRINTABLE_INVISIBLE = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u3164\ufe00-\ufe0f\uffa0]")
_SPACES = re.compile(r"[^\S\n]+")  # any Unicode space but the line feed
_BREAKS = re.compile(r"\s*\n\s*")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
_MIDDLE_DOTS = re.compile("[\u2022\u2027\u30fb\uff65\u00b7\u0387\u16eb\u2219\u22c5\u2e31]")
_FOLD_PUNCTUATION = str.maketrans({"〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(", "]": ")", "—": "-", "－": "-"})


def clean_text(value: object, *, multiline: bool = False) -> str:
    """`value` as text without invisible characters, one ASCII space for any run of spaces.

    One-line text (the default) also turns line breaks into a space; `multiline` keeps them
    (one per break, trailing spaces on each line removed), for notes and descriptions.
    """
    text = "" if value is None else str(value)
    if text.isprintable() and not _PRINTABLE_INVISIBLE.search(text) and "  " not in text and text == text.strip():
        return text  # already clean (most cells): no other space than single inner ASCII ones
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    if multiline:
        text = _SPACES.sub(" ", text)
        return "\n".join(line.strip() for line in text.split("\n")).strip()
    return _SPACES.sub(" ", _BREAKS.sub(" ", text)).strip()


def clean_person_name(value: object) -> tuple[str, list[str]]:
    """A person's name as stored, and the Chinese reasons it differs from the cell (empty if it doesn't)."""
    from django.utils.translation import gettext as _

    raw = "" if value is None else str(value)
    reasons = []
    if _INVISIBLE.search(raw):
        reasons.append(_("去掉了不可见字符"))
    if "\n" in raw or "\r" in raw:
        reasons.append(_("去掉了换行"))
    name = clean_text(raw)
    spaced = _SPACE_BETWEEN_CJK.sub("", name)
    if spaced != name:
        reasons.append(_("去掉了姓名中的空格"))
    dotted = _MIDDLE_DOTS.sub("·", spaced)
    if dotted != spaced:
        reasons.append(_("间隔号统一为“·”"))
    return dotted, reasons


def name_query(value: object) -> str:
    """A search for a person's name, normalized the way names are stored (`clean_person_name`)."""
    return clean_person_name(value)[0]


def clean_stored_text(model, *, names: tuple[str, ...] = (), lines: tuple[str, ...] = (),
                      notes: tuple[str, ...] = (), batch: int = 2000) -> int:
    """Normalize text stored before the normalizer: `names` through `clean_person_name`, one-line
    `lines` and multi-line `notes` through `clean_text`. For data migrations (historical models);
    plain columns only. A row whose cleaned value would clash with a unique constraint (an address
    typed twice, once with a zero-width space) is left as it was. Returns the rows changed."""
    from django.db import IntegrityError, transaction

    columns = (*names, *lines, *notes)
    changed, last = 0, 0
    while rows := list(model.objects.filter(pk__gt=last).order_by("pk").values("pk", *columns)[:batch]):
        last = rows[-1]["pk"]
        for row in rows:
            updates = {}
            for column in columns:
                value = row[column]
                if not isinstance(value, str) or not value:
                    continue
                clean = clean_person_name(value)[0] if column in names else clean_text(value, multiline=column in notes)
                if clean != value:
                    updates[column] = clean
            if not updates:
                continue
            try:
                with transaction.atomic():
                    model.objects.filter(pk=row["pk"]).update(**updates)
                changed += 1
            except IntegrityError:
                continue
    return changed


def fold_key(value: object) -> str:
    """Width-, bracket- and space-insensitive key: 综合科（办公室） and 综合科(办公室) fold alike."""
    text = unicodedata.normalize("NFKC", clean_text(value)).translate(_FOLD_PUNCTUATION)
    return re.sub(r"\s+", "", text).lower()


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `name` (by folded key), or None when nothing is close.

    A name contained in exactly one candidate (审计科 in 财政审计科) counts as close even when the
    similarity ratio is low.
    """
    by_key = {fold_key(candidate): candidate for candidate in candidates}
    key = fold_key(name)
    if not key or not by_key:
        return None
    containing = [candidate for folded, candidate in by_key.items() if key in folded or folded in key]
    if len(containing) == 1:
        return containing[0]
    matches = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.6)
    return by_key[matches[0]] if matches else None
