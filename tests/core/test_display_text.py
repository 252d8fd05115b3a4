"""No internal code in the Chinese interface: every page each demo login reaches from its home page
(depth 2, one page per URL pattern), rendered in zh-hans on the tiny demo city through the test
client, shows no snake_case identifier, no `kind:code` pair and no English enumeration value in its
visible text. (The browser crawl, tests/browser/test_crawl.py, checks the same on fewer pages with
layout and console; this one is fast enough to run with the unit tests.)"""

import html
import importlib
import re
from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import Resolver404, resolve

from ..browser.quality import snake_case_leaks

LOGINS = ["zuzhibu", "lianluo", "shequ", "ganbu", "shegong", "rexian", "jumin", "shenji", "xitong"]
SKIPPED = re.compile(r"^/(logout|i18n|api|static)/|\.(xlsx|pdf|ics|png|csv)$|/(export|download|reveal)")
HIDDEN = re.compile(r"(?is)<(script|style|template|noscript)\b[^>]*>.*?</\1>|<!--.*?-->")
TAG = re.compile(r"(?s)<[^>]+>")
HREF = re.compile(r'href="(/[^"#]*)"')
URL_TEXT = re.compile(r"https?://\S+")
# Words that are enumeration values but also ordinary text here: the Excel file format (".xlsx 文件").
ORDINARY_WORDS = {"xlsx"}
# Pages another part of issue #14 is rebuilding, with the item that gives them labels; the lead
# removes an entry when that work lands (the assertion below then covers the page again).
REBUILT_ELSEWHERE = {
}


def visible_text(body: str) -> str:
    """The text a reader sees, without markup, scripts and shown URLs (a link to copy is no code)."""
    return URL_TEXT.sub(" ", html.unescape(TAG.sub(" ", HIDDEN.sub(" ", body))))


def english_enum_values() -> set[str]:
    """Every stored code of the project's choices that is an English word (open, draft, valid, …):
    TextChoices values, and the keys of {code: label} tables in each app's enums module."""
    values = set()
    for app in apps.get_app_configs():
        if app.name.startswith("xiachen."):
            try:
                enums = importlib.import_module(f"{app.name}.enums")
            except ModuleNotFoundError:
                continue
            for table in vars(enums).values():
                if isinstance(table, dict):
                    values.update(k for k in table if isinstance(k, str) and re.fullmatch(r"[a-z]{3,}", k))

    def walk(cls):
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("xiachen."):
                values.update(v for v in sub.values if isinstance(v, str) and re.fullmatch(r"[a-z]{3,}", v))
            walk(sub)

    walk(models.TextChoices)
    return values - ORDINARY_WORDS


def english_leaks(text: str, words: set[str]) -> list[str]:
    # Whole words only: "cadre" in the login name demo-cadre-100 is data, not a leaked value.
    return sorted({word for word in re.findall(r"(?<![\w-])[a-z]{3,}(?![\w-])", text) if word in words})


def pattern_of(url: str) -> str | None:
    try:
        return resolve(url.split("?")[0]).route
    except Resolver404:
        return None


def crawl(client, username: str, words: set[str], depth: int = 2) -> dict[str, list[str]]:
    """{url: leaks} over pages reachable from the home page, one page per URL pattern."""
    client.force_login(_user(username))
    seen_patterns, frontier, leaks = set(), ["/"], {}
    for _level in range(depth + 1):
        following = []
        for url in frontier:
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            body = response.content.decode()
            text = visible_text(body)
            found = snake_case_leaks(text) + english_leaks(text, words)
            if found and url.split("?")[0] not in REBUILT_ELSEWHERE:
                leaks[url] = found
            for href in HREF.findall(body):
                pattern = pattern_of(href)
                if SKIPPED.search(href) or pattern is None or pattern in seen_patterns:
                    continue
                seen_patterns.add(pattern)
                following.append(href)
        frontier = following
    client.logout()
    return leaks


def _user(username: str):
    from xiachen.accounts.models import User

    return User.objects.get(username=username)


@pytest.fixture
def tiny_city(db):
    call_command("demo_city", scale="tiny", seed=1, stdout=StringIO(), stderr=StringIO())
    call_command("demo_activity", seed=1, anchor=date.today(), scans=300, errands=80, tickets=40,
                 stdout=StringIO(), stderr=StringIO())


def test_visible_text_strips_markup_and_finds_codes():
    body = ('<p title="dim:x">出 <b>valid</b></p><script>var in_progress = 1;</script><p>dim:integrity</p>'
            '<p>demo-open-1 http://x/rosters/scan/abc/</p>')
    text = visible_text(body)
    assert snake_case_leaks(text) == ["dim:integrity"]
    assert english_leaks(text, {"valid", "open", "scan"}) == ["valid"]


@pytest.mark.rendering
def test_no_internal_codes_in_the_chinese_pages_of_any_role(client, tiny_city):
    words = english_enum_values()
    assert {"requested", "draft", "review", "valid"} <= words  # the rule knows the enums (and verdicts)
    leaks = {username: crawl(client, username, words) for username in LOGINS}
    assert {username: found for username, found in leaks.items() if found} == {}


def test_every_model_has_a_chinese_name():
    """Model names reach users (the auditor's 对象类型 filter, admin messages): none may be Django's
    English default made from the class name."""
    defaults = [
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("xiachen.") and "verbose_name" not in model._meta.original_attrs
    ]
    assert defaults == []
