"""The resident's side on a phone (390×844): the journey from the resident home by clicking alone, the
pages' accessibility (axe-core: no serious or critical violation, also on the gate page), the
长辈模式 (elder mode), and where a resident signing in at the staff sign-in ends up."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from xiachen.errands import services as errand_services
from xiachen.errands.models import Errand
from xiachen.notices import community
from xiachen.passes import services as pass_services
from xiachen.passes.models import CorrectionRequest
from xiachen.surveys import services as survey_services
from xiachen.surveys.models import Participation

from .conftest import sign_in
from .quality import PageWatch, axe_violations, decode_qr, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username: str) -> None:
    page.set_default_navigation_timeout(60_000)  # the first request of a run imports the whole URLconf
    sign_in(page, username)


@pytest.fixture
def resident_world(people, tree, resident1):
    """A current pass, an earlier revoked one, an open survey and an unread notice for resident1."""
    now = timezone.now()
    manager = people.manager1
    revoked = pass_services.issue_pass(by=manager, resident=resident1, valid_from=now - timedelta(days=3),
                                       valid_until=now + timedelta(days=3))
    pass_services.revoke_passes(by=manager, passes=[revoked], reason="证件信息有误")
    current = pass_services.issue_pass(by=manager, resident=resident1, valid_from=now - timedelta(hours=1),
                                       valid_until=now + timedelta(days=7))
    survey = survey_services.create_survey(by=manager, title="社区服务满意度", compounds=[tree.compound1])
    survey_services.add_question(by=manager, survey=survey, kind="rating", text="对社区服务打分")
    survey_services.open_survey(by=manager, survey=survey)
    community.publish_notice(by=manager, title="明日停水通知", body="明日 9 时至 12 时停水。",
                             compounds=[tree.compound1])
    return {"pass": current, "revoked": revoked, "survey": survey}


def _settled(page, watch: PageWatch) -> None:
    """The page in front of the resident fits the phone and logged no error."""
    page.wait_for_load_state("networkidle")
    assert horizontal_overflow(page) <= 0, f"{page.url} is wider than the phone"
    assert watch.problems == [], "\n".join(watch.problems)


def _home(page, watch) -> None:
    page.click("#back-home")
    page.wait_for_url("**/r/")
    _settled(page, watch)


def test_resident_journey_by_clicking_from_home(phone_page, resident1, resident_world):
    page = phone_page
    watch = PageWatch(page)
    _sign_in(page, "resident1")  # the staff sign-in page: a resident lands on the resident home
    assert page.url == f"{page.base_url}/r/"
    watch.clear()  # the staff sign-in page's own console is the staff pages' business (test_crawl.py)
    _settled(page, watch)
    assert page.locator("#unread-count").inner_text() == "1"
    assert "社区服务满意度" in page.locator("#surveys-to-answer").inner_text()

    # 1. show the pass: the QR code on screen is the pass token
    page.click("#show-pass")
    _settled(page, watch)
    assert decode_qr(page, f"#pass-qr-{resident_world['pass'].public_id.hex}") == resident_world["pass"].token
    _home(page, watch)

    # 2. ask for an errand
    page.click("#new-errand")
    _settled(page, watch)
    page.select_option("#id_kind", "groceries")
    page.fill("#id_details", "大米一袋，鸡蛋一盒")
    page.click("#errand-form button[type=submit]")
    _settled(page, watch)
    assert page.locator("#errand-status").inner_text() == "待接单"
    assert Errand.objects.get(resident=resident1).details == "大米一袋，鸡蛋一盒"
    _home(page, watch)
    assert "待接单" in page.locator("#open-requests").inner_text()

    # 3. answer the survey straight from the home list
    page.click("#surveys-to-answer a")
    _settled(page, watch)
    page.select_option("#question-1 select", "5")
    page.click("#survey-submit")
    page.wait_for_url("**/r/surveys/")
    _settled(page, watch)
    assert "感谢参与" in page.locator(".flash").inner_text()
    assert "已填写" in page.locator("#survey-list").inner_text()
    assert Participation.objects.filter(survey=resident_world["survey"], resident=resident1).exists()
    _home(page, watch)
    assert "目前没有需要填写的问卷" in page.locator("#surveys-to-answer").inner_text()

    # 4. file a correction request about the revoked pass
    page.click("#correction-link")
    _settled(page, watch)
    page.select_option("#subject-ref", f"pass:{resident_world['revoked'].public_id}")
    page.fill("#message", "证件信息已更新，请恢复通行证")
    page.click("#correction-form button[type=submit]")
    _settled(page, watch)
    assert "更正申请已提交" in page.locator(".flash").inner_text()
    assert "待答复" in page.locator("#my-corrections").inner_text()
    assert CorrectionRequest.objects.get(resident=resident1).message == "证件信息已更新，请恢复通行证"
    _home(page, watch)
    assert "更正申请" in page.locator("#open-requests").inner_text()
    assert page.locator("#open-request-count").inner_text() == "2"


# Resident pages reached from the home page by clicking: (what to click, in order) → page
RESIDENT_PAGES = [
    [],
    ["#show-pass"],
    ["#new-errand"],
    ["#hotline-link"],
    ["#correction-link"],
    ["#return-link"],
    ["#all-errands"],
    ["#surveys-link"],
    ["#surveys-to-answer a"],
    ["#notices-link"],
    ["#unread-notices a"],
]


@pytest.mark.rendering
@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_every_resident_page_is_accessible_and_fits_a_phone(phone_page, resident_world, elder):
    page = phone_page
    _sign_in(page, "resident1")
    watch = PageWatch(page)  # from the resident site on (the staff sign-in page is test_crawl.py's)
    if elder:
        page.click("#elder-toggle")
    for clicks in RESIDENT_PAGES:
        page.goto(f"{page.base_url}/r/") if clicks else None
        for selector in clicks:
            page.locator(selector).first.click()
        _settled(page, watch)
        assert page.locator("#elder-toggle").is_visible()
        assert (page.locator("html.elder").count() == 1) is elder, page.url
        violations = axe_violations(page)
        assert violations == [], f"{page.url}: {violations}"


def test_elder_mode_is_larger_higher_contrast_with_fewer_items_and_remembered(phone_page, people, resident1):
    page = phone_page
    for number in range(5):
        errand_services.request_errand(by=people.resident_user1, household=resident1.household, kind="meal",
                                       details=f"午餐 {number}", prescription_note="", submission_key=uuid.uuid4())
    _sign_in(page, "resident1")

    def font_px(selector: str) -> float:
        return float(page.locator(selector).first.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))

    standard_body, standard_h1 = font_px("body"), font_px("h1")
    assert page.locator("#open-requests li").count() == 5
    assert page.locator("#elder-toggle").get_attribute("aria-pressed") == "false"

    page.click("#elder-toggle")
    page.wait_for_url("**/r/")  # back on the page the switch was pressed on
    assert page.locator("#elder-toggle").get_attribute("aria-pressed") == "true"
    assert font_px("body") >= 18 and font_px("body") > standard_body
    assert font_px("h1") > font_px("h2") > font_px("body") and font_px("h1") > standard_h1
    assert page.locator("#open-requests li").count() == 3  # fewer items per screen …
    assert "全部代办（5）" in page.locator("#all-errands").inner_text()  # … and the way to the rest
    for button in page.locator("#resident-links .r-button").all():
        assert button.bounding_box()["height"] >= 60  # touch targets
    text = page.locator("body").evaluate("e => getComputedStyle(e).color")
    assert text == "rgb(0, 0, 0)"
    assert axe_violations(page) == []

    page.click("#all-errands")  # remembered from page to page (a cookie) …
    assert page.locator("html.elder").count() == 1
    page.reload()
    assert page.locator("html.elder").count() == 1
    page.click("#elder-toggle")  # … until switched off, again on the page it was pressed on
    page.wait_for_url("**/r/errands/")
    assert page.locator("html.elder").count() == 0
    assert font_px("body") == standard_body


def test_resident_at_a_staff_page_is_refused_with_the_way_home(phone_page, people, resident1):
    page = phone_page
    watch = PageWatch(page)
    _sign_in(page, "resident1")
    assert page.url == f"{page.base_url}/r/"
    # refused by the staff view itself, or a staff page a resident has no business on (my shifts)
    for path in ("/households/", "/rosters/mine/", "/notices/"):
        response = page.goto(f"{page.base_url}{path}")
        assert response.status == 403, path
        assert page.locator("#elder-toggle").is_visible()  # the resident layout, not the staff one
        assert page.locator("#forbidden-home").is_visible()
    assert axe_violations(page) == []
    watch.clear()  # the 403 of the document itself is the point here
    page.click("#forbidden-home")
    page.wait_for_url("**/r/")
    _settled(page, watch)


def test_gate_page_is_accessible(phone_page, people, tree):
    page = phone_page
    _sign_in(page, "worker1")
    page.goto(f"{page.base_url}/gate/")
    assert page.locator("#gate-list").is_visible()
    assert axe_violations(page) == []
