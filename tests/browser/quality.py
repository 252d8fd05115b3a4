"""What every page must satisfy in the browser, as reusable checks for the browser tests.

- `PageWatch` collects console errors, uncaught page errors and failed sub-resource loads (a CSP
  violation or a favicon 404 shows up here), so a test can assert there were none.
- `horizontal_overflow(page)` is the number of pixels the document is wider than the viewport.
- `axe_violations(page)` runs axe-core (vendored for the tests only, never shipped to users) and
  returns the violations of the given impacts.
- `decode_qr(page, locator)` screenshots the element and decodes it with zbar (`zbarimg --raw`):
  a QR code counts only if a real decoder reads it off the screen.
- `snake_case_leaks(text)` finds internal identifiers (snake_case, `kind:code`) in rendered text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
ZBARIMG = shutil.which("zbarimg") or "/usr/bin/zbarimg"


@dataclass
class PageWatch:
    """Attach to a page before navigating; every problem the browser reports is kept in `problems`."""

    page: object
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text[:300]}")

    def _on_response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.url} (from {self.page.url})")

    def clear(self) -> None:
        self.problems.clear()


def horizontal_overflow(page) -> int:
    """Pixels by which the page is wider than the viewport (0: no horizontal scrolling)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """axe-core's violations of `impacts` on the current page: [{id, impact, help, targets}].

    Injected through the DevTools protocol (page.evaluate), so the page's CSP does not block it and
    nothing is added to what users download.
    """
    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


def decode_qr(page, locator) -> str:
    """The text of the QR code shown by `locator`, read by zbar off a screenshot of the element."""
    if not Path(ZBARIMG).exists():
        raise AssertionError("zbarimg not found: install zbar-tools (apt-get install zbar-tools)")
    element = page.locator(locator) if isinstance(locator, str) else locator
    element.scroll_into_view_if_needed()
    with tempfile.TemporaryDirectory() as folder:
        shot = Path(folder) / "qr.png"
        element.screenshot(path=str(shot))
        result = subprocess.run([ZBARIMG, "--raw", "-q", str(shot)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"zbarimg found no QR code in the screenshot ({result.returncode}: {result.stderr})"
    return result.stdout.rstrip("\n")


SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
CODED = re.compile(r"\b[a-z]+:[a-z_]+\b")


def snake_case_leaks(text: str) -> list[str]:
    """Internal identifiers visible in `text`: snake_case words and `kind:code` pairs."""
    return sorted(set(SNAKE_CASE.findall(text)) | set(CODED.findall(text)))
