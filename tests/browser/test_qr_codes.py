"""Every QR code xiachen shows on screen is read back by a real decoder (zbar) off a screenshot of
the page, and equals exactly what it is meant to carry: the pass token, the survey link, the post's
attendance link, the unit's arrival link, the authenticator set-up address.

Console errors on staff pages are the crawl test's business (tests/browser/test_crawl.py); here the
resident's pass page, which this suite owns, is also held to zero console errors."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiachen.deployments.checkin import unit_of_token
from xiachen.passes import services as pass_services
from xiachen.rosters.tokens import post_of_token
from xiachen.surveys import services as survey_services

from ..rosters.conftest import make_post
from .conftest import sign_in
from .quality import PageWatch, decode_qr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username: str) -> None:
    page.set_default_navigation_timeout(60_000)  # the first request of a run imports the whole URLconf
    sign_in(page, username)


@pytest.fixture
def issued(people, resident1):
    now = timezone.now()
    return pass_services.issue_pass(
        by=people.manager1, resident=resident1, valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=7)
    )


def _rendered(page, selector: str) -> None:
    """The image really drew (the old bug: an SVG without xmlns, naturalWidth 0) and is big enough to scan."""
    width = page.locator(selector).evaluate("img => img.complete && img.naturalWidth")
    assert width and width > 0, f"{selector} did not render"
    assert page.locator(selector).bounding_box()["width"] >= 160


def test_resident_pass_qr_decodes_to_the_token(phone_page, people, issued):
    _sign_in(phone_page, "resident1")
    watch = PageWatch(phone_page)  # the resident site on (the staff sign-in page is test_crawl.py's)
    phone_page.goto(f"{phone_page.base_url}{reverse('passes:mine')}")
    selector = f"#pass-qr-{issued.public_id.hex}"
    _rendered(phone_page, selector)
    assert decode_qr(phone_page, selector) == issued.token
    assert watch.problems == [], "\n".join(watch.problems)


def test_staff_pass_detail_qr_decodes_to_the_token(page, people, issued):
    _sign_in(page, "manager1")
    page.goto(f"{page.base_url}{reverse('passes:detail', args=[issued.public_id])}")
    selector = f"#pass-qr-{issued.public_id.hex}"
    _rendered(page, selector)
    assert decode_qr(page, selector) == issued.token


def test_survey_qr_decodes_to_the_answer_link(page, people, tree):
    survey = survey_services.create_survey(by=people.manager1, title="物资需求", compounds=[tree.compound1])
    survey_services.add_question(by=people.manager1, survey=survey, kind="rating", text="打分")
    survey_services.open_survey(by=people.manager1, survey=survey)
    _sign_in(page, "manager1")
    page.goto(f"{page.base_url}{reverse('surveys:detail', args=[survey.public_id])}")
    _rendered(page, "#survey-qr")
    link = decode_qr(page, "#survey-qr")
    assert link == f"{page.base_url}{reverse('resident:survey_answer', args=[survey.public_id])}"
    assert link == page.locator("#survey-link").inner_text()


def test_roster_attendance_qr_decodes_to_the_post_scan_link(page, people, tree, cadre1):
    post = make_post(tree, people.org_department, [cadre1])
    _sign_in(page, "manager1")
    page.goto(f"{page.base_url}{reverse('rosters:post', args=[post.public_id])}")
    _rendered(page, "#post-qr")
    link = decode_qr(page, "#post-qr")
    assert link == page.locator("#post-qr-url").inner_text()
    token = link.removeprefix(f"{page.base_url}/field/scan/").rstrip("/")  # the phone app's clock-in
    assert link == f"{page.base_url}{reverse('field:scan', args=[token])}"
    assert post_of_token(token) == str(post.public_id)


def test_arrival_qr_decodes_to_the_unit_checkin_link(page, people, tree):
    _sign_in(page, "manager1")
    page.goto(f"{page.base_url}{reverse('deployments:checkin_code', args=[tree.community1.public_id])}")
    _rendered(page, "#checkin-qr")
    link = decode_qr(page, "#checkin-qr")
    assert link == page.locator("#checkin-url").inner_text()
    prefix = f"{page.base_url}{reverse('deployments:checkin', args=['TOKEN'])}".removesuffix("TOKEN/")
    assert link.startswith(prefix)
    assert unit_of_token(link.removeprefix(prefix).rstrip("/")) == str(tree.community1.public_id)


def test_authenticator_setup_qr_decodes_to_the_device_address(page, people, settings):
    settings.XIACHEN_REQUIRE_TOTP = True
    _sign_in(page, "manager1")
    page.wait_for_url("**/otp/setup/")
    _rendered(page, "#totp-qr")
    device = TOTPDevice.objects.get(user=people.manager1, confirmed=False)
    assert decode_qr(page, "#totp-qr") == device.config_url
