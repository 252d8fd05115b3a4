"""The phone app's offline engine (ADR 2001): a sync of 500 queued changes on loopback (goal < 5 s) and
the app opening offline under Chromium CPU throttling 4× (a mid-range phone; goal < 1 s).

Runs the real app (/field/) in Debian's Chromium (Playwright) against a live server on a throwaway SQLite
database: a community worker with 500 errands on today's round opens the app online once, goes offline,
accepts all 500 (queued in IndexedDB by the shared engine), comes back online and syncs; the time is from
the sync call to the answer applied and the round re-rendered (one batch through `errand.move` →
errands.accept_errand, each change audited). Then, still offline, the app is opened five times in a new
tab with the CPU throttled 4×, timed from navigation start to the round rendered (`body[data-ready]`).

    .venv/bin/python bench/offline_sync.py

Writes bench/results/offline.json.
"""

import json
import os
import sys
import tempfile
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/offline-sync.sqlite3"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "offline.json"
CHROMIUM = os.environ.get("XIACHEN_CHROMIUM", "/usr/bin/chromium")
CHANGES = 500
TYPICAL_ROUND = 50  # a worker's day: the offline load is also timed with a round of this size
LOADS = 5
PASSWORD = "correct-horse-battery"  # noqa: S105  # the test factories' password, throwaway database

QUEUE_ALL = """async () => {
  const box = XiachenField.outbox();
  const moves = Array.from(document.querySelectorAll("li[data-errand]"));
  for (const row of moves) {
    await box.add({ kind: "errand.move", base: row.dataset.version, at: Math.floor(Date.now() / 1000),
                    data: { errand: row.dataset.errand, to: "accepted" }, label: "bench" });
  }
  await XiachenField.render();
  return moves.length;
}"""

# Coming back online starts the sync by itself (the app listens for "online"): timed from that event to
# the indicator reading 0 (answers applied, data reloaded, round re-rendered).
ARM = """() => {
  window.__t0 = null; window.__t1 = null;
  window.addEventListener("online", () => { window.__t0 = performance.now(); }, { once: true });
  const node = document.getElementById("pending-count");
  new MutationObserver(() => {
    if (node.textContent === "0" && window.__t0 !== null && window.__t1 === null) window.__t1 = performance.now();
  }).observe(node, { childList: true, characterData: true, subtree: true });
}"""
KICK = """() => { if (window.__t0 === null) { window.__t0 = performance.now(); XiachenField.sync(); } }"""


def _fixtures() -> None:
    import uuid

    from tests.factories import HouseholdFactory, ensure_vocabularies, make_unit, user_with_role
    from xiachen.errands.models import Errand

    ensure_vocabularies()
    city = make_unit("F0", "基准市", "city")
    street = make_unit("F01", "基准街道", "street", make_unit("F1", "基准区", "district", city))
    community = make_unit("F011", "基准社区", "community", street)
    compound = make_unit("F0111", "基准小区", "compound", community)
    worker = user_with_role("community_worker", community, username="offline-worker")
    typical = user_with_role("community_worker", community, username="offline-typical")
    households = [HouseholdFactory(compound=compound, building=str(1 + i // 20), room=f"{100 + i % 20}")
                  for i in range(100)]
    Errand.objects.bulk_create([
        Errand(household=households[i % 100], compound_path=compound.path, kind="groceries", details=f"代购 {i}",
               requested_by=worker, submission_key=uuid.uuid4(), assignee=worker if i < CHANGES else typical)
        for i in range(CHANGES + TYPICAL_ROUND)
    ])


def _sign_in(page, base_url: str, username: str = "offline-worker") -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state("networkidle")


def _time_offline_loads(context, base_url: str, expected_rows: int) -> dict:
    """Open the app LOADS times in a new tab, offline, CPU throttled 4×: navigation start → round rendered."""
    loads, rows = [], 0
    for _ in range(LOADS):
        tab = context.new_page()
        cdp = context.new_cdp_session(tab)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        tab.goto(f"{base_url}/field/")
        tab.wait_for_selector("body[data-ready='1']")
        loads.append(tab.evaluate("() => performance.now()"))
        rows = tab.locator("li[data-errand]").count()
        tab.close()
    assert rows == expected_rows, rows
    return {"runs": [round(x) for x in loads], "median_ms": round(median(loads)), "max_ms": round(max(loads)),
            "goal_ms": 1000, "errands_rendered": rows}


def main() -> None:
    from xiachen.errands.models import Errand, ErrandEvent
    from xiachen.field.models import OfflineChange

    call_command("migrate", verbosity=0)
    _fixtures()
    results = {}
    with override_settings(ALLOWED_HOSTS=["*"]):
        server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        base_url = f"http://127.0.0.1:{server.port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
            page = context.new_page()
            page.set_default_timeout(120_000)
            page.on("pageerror", lambda error: print("page error:", str(error)[:300]))
            _sign_in(page, base_url)
            page.goto(f"{base_url}/field/")
            page.wait_for_selector("body[data-ready='1']")
            page.wait_for_selector("body[data-offline-ready='1']", state="attached")
            context.set_offline(True)
            queued = page.evaluate(QUEUE_ALL)
            page.wait_for_function(f"() => document.getElementById('pending-count').textContent === '{queued}'")
            page.evaluate(ARM)
            context.set_offline(False)
            page.evaluate(KICK)  # in case this Chromium fired no "online" event
            page.wait_for_function("() => window.__t1 !== null")
            sync_ms = page.evaluate("() => window.__t1 - window.__t0")
            left = page.locator("#pending-count").inner_text()
            post_ms = page.evaluate("""() => performance.getEntriesByType("resource")
                .filter((e) => e.name.endsWith("/field/sync")).map((e) => e.duration).pop()""")
            stored = {"accepted": Errand.objects.filter(status="accepted").count(),
                      "events": ErrandEvent.objects.filter(to_status="accepted").count(),
                      "offline_changes": OfflineChange.objects.filter(status="applied").count()}
            assert left == "0", left
            assert stored == {"accepted": CHANGES, "events": CHANGES, "offline_changes": CHANGES}, stored
            results["sync_500"] = {"changes": queued, "ms": round(sync_ms), "post_ms": round(post_ms or 0),
                                   "goal_ms": 5000, "stored": stored}
            print("sync", results["sync_500"], flush=True)

            context.set_offline(True)
            results["offline_load_cpu4x"] = _time_offline_loads(context, base_url, CHANGES)
            print("load", results["offline_load_cpu4x"], flush=True)
            context.close()
            context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
            page = context.new_page()
            page.set_default_timeout(120_000)
            _sign_in(page, base_url, "offline-typical")
            page.goto(f"{base_url}/field/")
            page.wait_for_selector("body[data-offline-ready='1']", state="attached")
            context.set_offline(True)
            results["offline_load_cpu4x_round_50"] = _time_offline_loads(context, base_url, TYPICAL_ROUND)
            print("load 50", results["offline_load_cpu4x_round_50"], flush=True)
            browser.close()
        server.terminate()
    results["database"] = "sqlite"
    results["load_average"] = Path("/proc/loadavg").read_text().split()[:3]
    results["note"] = ("loopback, Chromium headless; sync: one batch of 500 errand.move changes, timed in the page "
                       "from the sync call to the round re-rendered; load: offline, CPU throttled 4x, navigation "
                       "start to body[data-ready], with the 500-errand round and with a 50-errand round")
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
