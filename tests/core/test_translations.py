"""The English catalog (ADR 0005): complete, placeholder-safe, compiled, and actually used by the switch."""

import ast
import gettext
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (\".*\")$")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: dict[int, str] = field(default_factory=dict)

    @property
    def key(self):
        """The key GNUTranslations uses for this entry's msgstr(s)."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def parse_po(path: Path) -> list[Entry]:
    """Enough of the PO format for makemessages output: flags, msgctxt, msgid(_plural), msgstr[n], continuations."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#~"):  # obsolete entries are not part of the catalog
            continue
        if not line or line.startswith("#"):
            if entry is not None and target is not None and target[0] == "msgstr":
                entries.append(entry)
                entry, target = None, None
            if line.startswith("#,"):
                entry = entry or Entry(number)
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        match = KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            if keyword in ("msgid", "msgctxt") and target is not None and target[0] == "msgstr":
                entries.append(entry)
                entry = None
            entry = entry or Entry(number)
            value = ast.literal_eval(literal)
            if keyword == "msgctxt":
                entry.msgctxt, target = value, ("msgctxt", None)
            elif keyword == "msgid":
                entry.msgid, target = value, ("msgid", None)
            elif keyword == "msgid_plural":
                entry.msgid_plural, target = value, ("msgid_plural", None)
            else:
                slot = int(index) if index is not None else 0
                entry.msgstrs[slot], target = value, ("msgstr", slot)
        elif line.startswith('"') and entry is not None and target is not None:
            value = ast.literal_eval(line)
            kind, slot = target
            if kind == "msgstr":
                entry.msgstrs[slot] += value
            elif kind == "msgid_plural":
                entry.msgid_plural += value
            elif kind == "msgctxt":
                entry.msgctxt += value
            else:
                entry.msgid += value
        else:
            raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
    if entry is not None:
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(PO_PATH)


@pytest.fixture(scope="module")
def messages(entries) -> list[Entry]:
    """Every entry except the header."""
    return [entry for entry in entries if entry.msgid]


def test_catalog_has_entries_and_an_english_header(entries, messages):
    header = next(entry for entry in entries if not entry.msgid)
    assert "Language: en\n" in header.msgstrs[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstrs[0]
    assert len(messages) > 100


def test_no_entry_is_fuzzy_or_untranslated(entries, messages):
    fuzzy = [f"line {entry.line}: {entry.msgid!r}" for entry in entries if "fuzzy" in entry.flags]
    assert not fuzzy, "fuzzy entries are ignored at runtime"
    empty = [
        f"line {entry.line}: {entry.msgid!r}"
        for entry in messages
        if not entry.msgstrs or any(not text.strip() for text in entry.msgstrs.values())
    ]
    assert not empty
    plural_gaps = [entry.msgid for entry in messages if entry.msgid_plural is not None and set(entry.msgstrs) != {0, 1}]
    assert not plural_gaps, "English needs msgstr[0] and msgstr[1]"


def test_no_translation_is_left_in_chinese(messages):
    """English strings may quote Chinese data values (e.g. 男 / 女 in import notes) but must not be a copy."""
    copied = [entry.msgid for entry in messages if any(text == entry.msgid for text in entry.msgstrs.values())]
    assert copied == ["English"]


def test_every_placeholder_survives_translation(messages):
    problems = []
    for entry in messages:
        expected = set(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural is not None:
            expected |= set(PLACEHOLDER.findall(entry.msgid_plural))
        for slot, text in entry.msgstrs.items():
            found = set(PLACEHOLDER.findall(text))
            if found != expected:
                problems.append(f"{entry.msgid!r} msgstr[{slot}]: expected {sorted(expected)}, got {sorted(found)}")
            if re.search(r"%(?!\(\w+\)|%)", text.replace("%%", "")) and "python-format" in entry.flags:
                problems.append(f"{entry.msgid!r} msgstr[{slot}]: stray % in {text!r}")
    assert not problems


def test_compiled_catalog_matches_the_po(messages):
    """The committed .mo carries exactly the .po's translations (run bin/update-translations after editing)."""
    with MO_PATH.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    expected = {}
    for entry in messages:
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstrs[0]
        else:
            expected.update({(entry.key, slot): text for slot, text in entry.msgstrs.items()})
    compiled = {key: value for key, value in catalog.items() if key != ""}
    assert compiled == expected


def test_po_passes_msgfmt_check_and_compiles_to_the_same_entries(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(PO_PATH)], check=True, capture_output=True)
    with fresh.open("rb") as handle:
        rebuilt = gettext.GNUTranslations(handle)._catalog
    with MO_PATH.open("rb") as handle:
        committed = gettext.GNUTranslations(handle)._catalog
    assert len(committed) == len(rebuilt)
    assert {k: v for k, v in committed.items() if k != ""} == {k: v for k, v in rebuilt.items() if k != ""}


def test_switching_to_english_translates_home_and_login_pages(client, people):
    with MO_PATH.open("rb") as handle:
        english = gettext.GNUTranslations(handle)
    org_department = english.gettext("组织部")
    sign_in = english.gettext("登录")
    assert (org_department, sign_in) == ("Organization Department", "Sign in")

    client.force_login(people.org_department)
    home = client.get(reverse("accounts:home"))
    assert "组织部" in home.content.decode()

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:home")})
    assert response.status_code == 302

    home = client.get(reverse("accounts:home"))
    html = home.content.decode()
    assert home.status_code == 200
    assert '<html lang="en">' in html
    assert org_department in html
    assert "组织部" not in html

    # Sign out the way the page does (the test client's own logout() would also drop the language cookie).
    client.post(reverse("accounts:logout"))
    login = client.get(reverse("accounts:login"))
    html = login.content.decode()
    assert login.status_code == 200
    assert f'<button type="submit">{sign_in}</button>' in html
    assert f"<title>{sign_in} · xiachen</title>" in html
