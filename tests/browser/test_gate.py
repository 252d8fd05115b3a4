"""The gate page in Chromium: the JS verifier on the test-vector corpus; a fake camera scanning offline."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
import segno
from django.utils import timezone
from PIL import Image

from tests.passes.vector_builder import PATH
from xiachen.passes import services
from xiachen.passes.models import Scan

from .conftest import CHROMIUM, CHROMIUM_ARGS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JS_CORPUS = """async (corpus) => {
  const out = {};
  for (const c of corpus.cases) {
    const snapshot = {keys: corpus.keys, revoked_keys: corpus.revoked_keys, revoked_passes: corpus.revoked_passes,
                      audiences: corpus.audiences, policy: Object.assign({}, corpus.policy, c.policy || {}),
                      held_passes: corpus.held_passes, designated_passes: corpus.designated_passes,
                      recent_outs: corpus.recent_outs};
    const scan = {now: c.now, direction: c.direction, temperature: c.temperature};
    const v = await XiachenVerifier.verify(c.token, snapshot, scan);
    out[c.name] = {valid: v.valid, reason: v.reason};
  }
  return out;
}"""


def _open_gate(page, tree, *, offline_next: bool = False):
    page.set_default_navigation_timeout(60_000)  # the first request of a run imports the whole URLconf
    sign_in(page, "worker1")
    page.goto(f"{page.base_url}/gate/{tree.compound1.public_id}/")
    page.wait_for_selector("body[data-ready='1']")
    if offline_next:  # offline after the first load needs the service worker in control
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)


def test_js_verifier_gives_the_corpus_verdicts(page, people, tree):
    corpus = json.loads(PATH.read_text())
    _open_gate(page, tree)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    actual = page.evaluate(JS_CORPUS, corpus)
    assert actual == {c["name"]: c["expected"] for c in corpus["cases"]}
    assert errors == []


def test_js_verifier_tweetnacl_fallback_agrees(page, people, tree):
    corpus = json.loads(PATH.read_text())
    page.add_init_script("Object.defineProperty(crypto, 'subtle', {value: undefined});")
    _open_gate(page, tree)
    assert page.evaluate(JS_CORPUS, corpus) == {c["name"]: c["expected"] for c in corpus["cases"]}


def _y4m_of(token: str, path: Path) -> None:
    """A short Y4M video (what Chromium's fake camera reads) showing the pass QR."""
    qr = segno.make(token, error="m", boost_error=False)
    png = path.with_suffix(".png")
    qr.save(png, scale=4, border=4)
    image = Image.open(png).convert("L")  # 65 modules × 4 px: well inside qr-scanner's central scan region
    side = 640
    frame = Image.new("L", (side, 480), 255)
    frame.paste(image, ((side - image.width) // 2, (480 - image.height) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (side * 480 // 4)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{side} H480 F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(20):
            video.write(b"FRAME\n" + luma + chroma + chroma)


def test_fake_camera_scan_offline_then_sync(browser, live_server, people, tree, resident1, tmp_path):
    now = timezone.now()
    issued = services.issue_pass(
        by=people.manager1, resident=resident1, valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=1)
    )
    video = tmp_path / "pass.y4m"
    _y4m_of(issued.token, video)
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    camera_browser = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=args)
    try:
        context = camera_browser.new_context(locale="zh-CN", permissions=["camera"])
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.base_url = live_server.url
        logs = []
        page.on("console", lambda message: logs.append(message.text))
        page.on("pageerror", lambda error: logs.append(str(error)))
        _open_gate(page, tree, offline_next=True)
        context.set_offline(True)
        logs = []
        page.on("console", lambda message: logs.append(message.text[:200]))
        page.click("#camera-start")
        try:
            page.wait_for_selector("#verdict.ok")
        except Exception:
            print(
                "DIAG",
                page.locator("#verdict").get_attribute("class"),
                page.locator("#verdict").get_attribute("data-reason"),
                logs,
            )
            raise
        assert page.locator("#verdict").get_attribute("data-reason") == "valid"
        assert page.locator("#queue-count").inner_text() == "1"
        assert Scan.objects.count() == 0
        page.evaluate("() => XiachenGate.scanner.stop()")
        context.set_offline(False)
        page.evaluate("() => XiachenGate.sync()")
        page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'")
        assert Scan.objects.get().server_reason == "valid"
        # revoked on the server → refused after the next sync
        services.revoke_passes(by=people.manager1, passes=[issued], reason="测试")
        page.evaluate("() => XiachenGate.refresh()")
        verdict = page.evaluate("(t) => XiachenGate.handleToken(t + ' ')", issued.token)
        assert verdict["reason"] == "pass_revoked"
    finally:
        camera_browser.close()


def test_expired_pass_is_refused_offline(page, people, tree, resident1):
    now = timezone.now()
    issued = services.issue_pass(
        by=people.manager1,
        resident=resident1,
        valid_from=now - timedelta(days=2),
        valid_until=now - timedelta(minutes=1),
    )
    _open_gate(page, tree, offline_next=True)
    page.context.set_offline(True)
    page.click("#manual summary")
    page.fill("#token-input", issued.token)
    page.click("#token-form button")
    page.wait_for_selector("#verdict.bad")
    assert page.locator("#verdict").get_attribute("data-reason") == "expired"


def test_the_page_opens_offline_after_its_first_visit(page, people, tree, resident1):
    """The first online visit is enough: reloading offline shows the gate page from the service
    worker's cache (it used to need a second online visit, ERR_FAILED otherwise), and it still checks."""
    now = timezone.now()
    issued = services.issue_pass(by=people.manager1, resident=resident1, valid_from=now - timedelta(hours=1),
                                 valid_until=now + timedelta(days=1))
    _open_gate(page, tree)
    page.wait_for_selector("body[data-offline-ready='1']", state="attached", timeout=30_000)
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#camera-start").is_visible()
    page.click("#manual summary")
    page.fill("#token-input", issued.token)
    page.click("#token-form button")
    page.wait_for_selector("#verdict.ok")


def test_checkpoint_registration_offline_then_synced(page, people, tree):
    """A person without a pass registered while offline: queued in IndexedDB, uploaded once back online."""
    from xiachen.passes.models import CheckpointEntry

    _open_gate(page, tree, offline_next=True)
    page.context.set_offline(True)
    page.click("#checkpoint summary")
    page.fill("#cp-name", "赵六")
    page.fill("#cp-phone", "13611112222")
    page.fill("#cp-from", "汉口站")
    page.fill("#cp-to", "幸福小区")
    page.fill("#cp-temperature", "36.8")
    page.fill("#cp-reason", "送药")
    page.click("#checkpoint-form button[type=submit]")
    page.wait_for_function("() => document.getElementById('checkpoint-count').textContent === '1'")
    assert page.locator("#cp-name").input_value() == ""  # the form is cleared for the next person
    assert CheckpointEntry.objects.count() == 0
    page.context.set_offline(False)
    page.evaluate("() => XiachenGate.sync()")
    page.evaluate("() => XiachenGate.sync()")  # a second upload of the same queue duplicates nothing
    page.wait_for_function("() => document.getElementById('checkpoint-count').textContent === '0'")
    entry = CheckpointEntry.objects.get()
    assert (entry.name, entry.phone, entry.coming_from, str(entry.temperature)) == (
        "赵六",
        "13611112222",
        "汉口站",
        "36.8",
    )


def test_stale_banner_appears_when_cached_data_outlives_the_limit_and_clears_after_sync(page, people, tree):
    from xiachen.passes.api import stale_after

    page.clock.install()
    _open_gate(page, tree, offline_next=True)
    assert page.locator("#stale-banner").is_hidden()
    page.context.set_offline(True)
    page.clock.fast_forward(f"{stale_after() // 3600:02d}:01:00")  # the limit plus a minute
    page.wait_for_selector("#stale-banner", state="visible")
    page.context.set_offline(False)
    page.evaluate("() => XiachenGate.sync()")
    page.wait_for_selector("#stale-banner", state="hidden")


def test_switching_the_signed_in_user_keeps_unsynced_scans(page, people, tree, resident1):
    now = timezone.now()
    issued = services.issue_pass(
        by=people.manager1, resident=resident1, valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=1)
    )
    _open_gate(page, tree)
    page.route("**/api/passes/scans", lambda route: route.abort())  # the upload never gets through
    page.click("#manual summary")
    page.fill("#token-input", issued.token)
    page.click("#token-form button")
    page.wait_for_selector("#verdict.ok")
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '1'")
    page.goto(f"{page.base_url}/")
    page.click("form[action='/logout/'] button")
    page.wait_for_url("**/login/**")
    sign_in(page, "cadre1")  # the next shift signs in on the same phone
    page.unroute("**/api/passes/scans")
    page.goto(f"{page.base_url}/gate/{tree.compound1.public_id}/")
    page.wait_for_selector("body[data-ready='1']")  # start() syncs the queue it found
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'")
    scan = Scan.objects.get()
    assert (scan.server_reason, scan.recorded_by) == ("valid", people.cadre_user1)


def test_a_visitor_is_refused_offline_when_the_policy_allows_no_visitors(page, people, tree):
    from xiachen.passes.models import CheckpointEntry

    services.publish_policy(
        by=people.manager1,
        community=tree.community1,
        effective_at=timezone.now() - timedelta(days=1),
        rules={"hours": ["00:00", "24:00"], "visitors_allowed": False},
        change_note="暂停访客",
    )
    _open_gate(page, tree, offline_next=True)
    page.context.set_offline(True)
    page.click("#checkpoint summary")
    page.select_option("#cp-kind", "visitor")
    page.fill("#cp-name", "钱七")
    page.fill("#cp-phone", "13622223333")
    page.click("#checkpoint-form button[type=submit]")
    page.wait_for_selector("#checkpoint-status[data-refusal='visitors_not_allowed']")
    assert "不允许访客" in page.locator("#checkpoint-status").inner_text()
    page.context.set_offline(False)
    page.evaluate("() => XiachenGate.sync()")
    page.wait_for_function("() => document.getElementById('checkpoint-count').textContent === '0'")
    entry = CheckpointEntry.objects.get()
    assert (entry.kind, entry.admitted, entry.refusal) == ("visitor", False, "visitors_not_allowed")
