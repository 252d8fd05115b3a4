"""Every named URL is reachable by clicking: linked from a template (`{% url 'name' ... %}`, as a link,
a form's action or an htmx request), a navigation entry or a home-page link, or built with
`reverse("name")` in code that renders or sends a link (notifications, QR codes, feeds) — or it is
listed below with the reason it needs no link. The API (`api:*`) is for programs and documented at
/api/docs, so it is left out.

When this fails for a new page: link it from the page where its user needs it (or the menu:
`add_section` in the app's `apps.py`); only if nobody should ever click to it, add it to
NOT_LINKED with the reason.
"""

import re
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from xiachen.accounts import todo
from xiachen.accounts.context_processors import SECTIONS

ROOT = Path(settings.BASE_DIR) / "xiachen"
TEMPLATE_URL = re.compile(r"""\{%\s*url\s+['"]([\w:-]+)['"]""")
CODE_REVERSE = re.compile(r"""\b(?:reverse|reverse_lazy|link)\(\s*['"]([\w:-]+)['"]""")
HOME_LINK = re.compile(r"""\(\s*['"]([\w-]+:[\w-]+)['"]\s*,\s*_\(""")  # panel.links = [("app:name", _("…")), …]

DOWNLOAD = "a download: linked from its page through a URL the view builds"
IMPORT_TEMPLATE = "the import page links it as template.xlsx next to itself (core/import.html)"
NOT_LINKED = {
    "volunteers:callout_inbound_sms": "the SMS gateway posts members' replies to a call-out here (no page)",
    # Sign-in flow: Django and the second-factor middleware redirect here.
    "accounts:login": "where an anonymous visitor is redirected; every page's sign-out leads here",
    "identity:oidc_callback": "the identity provider sends the browser back here (OIDC redirect_uri)",
    "accounts:otp_setup": "the second-factor middleware redirects staff without a device here",
    "resident:verify": "the resident sign-in form redirects here after sending the one-time code",
    # Reached by scanning a QR code, not by clicking.
    "rosters:scan": "the address of post QR codes printed before the phone app (field:scan); still works online",
    # Feeds and files fetched by programs.
    "favicon": "asked for by browsers, not people",
    "set_language": "POST target of the language switch (in base.html, by name)",
    # Downloads whose URL is assembled in a view or a script rather than with {% url %}.
    "org:import_template": IMPORT_TEMPLATE,
    "cadres:import_template": IMPORT_TEMPLATE,
    "households:import_template": IMPORT_TEMPLATE,
    "deployments:demand_import_template": IMPORT_TEMPLATE,
    "accounts:user_import_template": IMPORT_TEMPLATE,
    "volunteers:member_list_template": IMPORT_TEMPLATE,
    "dashboards:city_xlsx": DOWNLOAD,
    "dashboards:district_xlsx": DOWNLOAD,
    "dashboards:community_xlsx": DOWNLOAD,
    "dashboards:agency_xlsx": DOWNLOAD,
    # Drill-down targets whose URLs the dashboard's script builds from the chart's data.
    # Open311 GeoReport v2: called by the city's 12345 platform and apps with an API token (interop/open311.py).
    "open311:services": "Open311 for programs (docs/howto/integration-api.md)",
    "open311:service": "Open311 for programs (docs/howto/integration-api.md)",
    "open311:requests": "Open311 for programs (docs/howto/integration-api.md)",
    "open311:request": "Open311 for programs (docs/howto/integration-api.md)",
    # Pages a POST redirects to.
    "assessments:report_job": "the report's progress page: the report buttons (POST) redirect here",
}


def named_patterns(patterns, namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            yield from named_patterns(pattern.url_patterns, f"{namespace}:{inner}".strip(":") if inner else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def linked_names() -> set[str]:
    names = {section[1] for section in SECTIONS}
    for path in ROOT.rglob("*"):
        if path.suffix == ".html":
            names |= set(TEMPLATE_URL.findall(path.read_text(encoding="utf-8")))
        elif path.suffix == ".py" and "migrations" not in path.parts:
            names |= set(CODE_REVERSE.findall(path.read_text(encoding="utf-8")))
    names |= set(HOME_LINK.findall(Path(todo.__file__).read_text(encoding="utf-8")))
    return names


def page_names() -> set[str]:
    return {name for name in named_patterns(get_resolver().url_patterns) if not name.startswith("api:")}


def test_every_named_page_is_linked_or_says_why_not():
    unlinked = page_names() - linked_names() - set(NOT_LINKED)
    assert unlinked == set(), (
        "pages nobody can click to (link them where their user needs them, or list them in NOT_LINKED "
        f"with the reason): {sorted(unlinked)}"
    )


def test_the_exceptions_are_real_pages_that_really_have_no_link():
    names = page_names()
    assert set(NOT_LINKED) - names == set(), "NOT_LINKED names a page that no longer exists"
    stale = {name for name in NOT_LINKED if name in linked_names() and name != "set_language"}
    assert stale == set(), f"these pages are linked now: remove them from NOT_LINKED: {sorted(stale)}"


def test_the_pages_issue_14_found_unreachable_are_in_the_navigation():
    """The menu (not just some page) offers the pages the issue found linked from nowhere."""
    in_menu = {section[1] for section in SECTIONS}
    for name in ("deployments:mine", "errands:operations", "passes:scans", "passes:fever", "passes:disagreements",
                 "passes:keys", "passes:corrections", "deployments:demands", "deployments:affinity"):
        assert name in in_menu, name
