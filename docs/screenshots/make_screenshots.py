"""Regenerate docs/screenshots/: each role's home page and main page at 1366 px and 390 px.

Run through `bin/screenshots` after `bin/demo` has built the demo city in var/xiachen.sqlite3. The
script serves that database on a free local port (`runserver --noreload`), signs in as each demo
login in Debian's Chromium, and writes `<role>-home-<width>.png` and `<role>-main-<width>.png`, plus
the two pictures the README shows. It fails if a page answers with an error or logs a console error,
so a stale picture never replaces a good one silently.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("XIACHEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "xiachen-demo"  # noqa: S105 — the published demo password (README)
WIDTHS = {1366: 768, 390: 844}
# (file prefix, demo login, the role's main page: the first menu entry it works in every day)
ROLES = [
    ("organization-department", "zuzhibu", "/deployments/rounds/"),
    ("agency-liaison", "lianluo", "/deployments/nominations/"),
    ("community-manager", "shequ", "/errands/"),
    ("cadre", "ganbu", "/rosters/mine/"),
    ("community-worker", "shegong", "/errands/visits/"),
    ("hotline-operator", "rexian", "/hotline/"),
    ("resident", "jumin", "/passes/mine/"),
    ("security-auditor", "shenji", "/audit/"),
    ("system-administrator", "xitong", "/users/"),
]
README_PICTURES = [("home-organization-department", "zuzhibu", "/"), ("dashboard-city", "zuzhibu", "/dashboards/")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    if not (ROOT / "var" / "xiachen.sqlite3").exists():
        sys.exit("No demo database in var/: run bin/demo once first.")
    server = subprocess.Popen(  # noqa: S603 — a fixed command line, no user input
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urlopen(f"http://127.0.0.1:{port}/privacy/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit("The demo server did not start.")


def shoot(browser, base: str, name: str, login: str, path: str, width: int, problems: list[str]) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": WIDTHS[width]},
                                  is_mobile=width < 500, has_touch=width < 500)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and problems.append(f"{name}: {message.text}"))
    page.goto(f"{base}/login/")
    page.fill("#id_username", login)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state("load")
    response = page.goto(f"{base}{path}") if path != "/" else None
    if response is not None and response.status >= 400:
        problems.append(f"{name}: {path} answered {response.status}")
    page.wait_for_timeout(800)  # charts animate in; the picture should show them drawn
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=width < 500)
    context.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(port)
    problems: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for prefix, login, main_path in ROLES:
                for width in WIDTHS:
                    shoot(browser, f"http://127.0.0.1:{port}", f"{prefix}-home-{width}", login, "/", width, problems)
                    shoot(browser, f"http://127.0.0.1:{port}", f"{prefix}-main-{width}", login, main_path, width,
                          problems)
            for name, login, path in README_PICTURES:
                shoot(browser, f"http://127.0.0.1:{port}", name, login, path, 1366, problems)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    if problems:
        sys.exit("Problems while taking screenshots:\n" + "\n".join(problems))
    print(f"wrote {2 * len(ROLES) * len(WIDTHS) + len(README_PICTURES)} screenshots to {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
