"""On a phone (390 px): a community worker opens 入户摸排 from the menu, picks building → entrance →
flat from the register, fills the household's form with one block per member (a constraint message
appears and goes, the calculation updates), records the position and a photo carrying EXIF (resized
and re-encoded in the browser), submits, and sees the compound's completion rise; the stored photo
has no EXIF and is at most 1280 px. Then without signal: the next flat is kept on the phone (the shared
offline engine's queue), the page reopens offline, and back online it is synced once and the completion
rises again. The progress page no longer lists either flat as not reached."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from xiachen.field.models import OfflineChange
from xiachen.surveys.models import HouseholdVisit, MemberAnswer, VisitPhoto, VisitReceipt

from ..surveys.field import build_field_form, jpeg
from .conftest import click_menu, sign_in
from .quality import PageWatch, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_fills_a_household_form_with_members_and_a_photo(phone_page, people, tree):
    form = build_field_form(people, tree)
    total = len(form.others) + 1
    photo = jpeg(exif=True, size=(2000, 1500))
    page = phone_page
    page.context.grant_permissions(["geolocation"], origin=page.base_url)
    page.context.set_geolocation({"latitude": 30.5801, "longitude": 114.2902, "accuracy": 8})
    watch = PageWatch(page)
    sign_in(page, "worker1")
    click_menu(page, "入户摸排")
    expect(page.locator(".field-progress")).to_contain_text(f"已走访 0 / {total}")
    page.get_by_role("link", name="逐户填报").click()

    progress = page.locator("#visit-progress")
    expect(progress).to_contain_text(f"0 / {total}")
    expect(page.locator("#pick-building option", has_text="3")).to_have_count(1)  # the register arrived
    page.select_option("#pick-building", label="3")
    page.select_option("#pick-entrance", label="2")
    page.select_option("#pick-flat", label="501")
    blocks = page.locator(".member-block")
    expect(blocks).to_have_count(2)
    expect(blocks.nth(0)).to_contain_text("张*（户主）")
    expect(blocks.nth(1)).to_contain_text("李*（配偶）")

    q = {position: str(question.public_id) for position, question in form.q.items()}
    page.fill(f"#q-{q[1]}", "4")
    zhang, li = (str(m.public_id) for m in form.members)
    page.fill(f"#q-{q[2]}-{zhang}", "36.6")
    page.fill(f"#q-{q[2]}-{li}", "45")
    message = page.locator(f'.field[data-q="{q[2]}"][data-member="{li}"] .field-message')
    expect(message).to_have_text("体温应在 35 到 42 ℃ 之间")  # the constraint, evaluated on the phone
    page.fill(f"#q-{q[2]}-{li}", "37.2")
    expect(message).to_have_text("")
    page.check(f"#q-{q[3]}-{zhang}-0")
    page.check(f"#q-{q[3]}-{li}-1")
    expect(page.locator(f"#q-{q[4]}")).to_have_text("36.9")  # round(sum(q2) / count(q2), 1)
    expect(page.locator(f"#q-{q[5]}")).to_have_text("大户")
    page.click(f"#q-{q[6]}")
    expect(page.locator(f'.field[data-q="{q[6]}"] .gps-value')).to_contain_text("30.58010, 114.29020")
    page.set_input_files(f"#q-{q[7]}", files=[{"name": "door.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    expect(page.locator(f'.field[data-q="{q[7]}"] .photo-state')).to_contain_text("照片已处理")
    assert horizontal_overflow(page) == 0

    page.click("#visit-submit")
    expect(page.locator("#visit-status")).to_have_text("已提交，本户记录已保存")
    expect(progress).to_contain_text(f"1 / {total}")
    expect(page.locator("#pick-flat option", has_text="501（已走访）")).to_have_count(1)

    visit = HouseholdVisit.objects.get(survey=form.survey)
    assert (visit.household, visit.visited_by) == (form.home, people.worker1)
    assert MemberAnswer.objects.filter(visit=visit).count() == 4
    stored = VisitPhoto.objects.get(visit=visit)
    image = Image.open(io.BytesIO(bytes(stored.content)))
    assert Image.open(io.BytesIO(photo)).getexif()  # what was chosen carried EXIF
    assert (image.format, image.size, dict(image.getexif()), "exif" in image.info) == ("JPEG", (1280, 960), {}, False)

    assert watch.problems == []

    # No signal: the next flat is kept on the phone, the page reopens offline, and syncs once online.
    page.wait_for_selector("body[data-offline-ready='1']", state="attached", timeout=30_000)
    page.context.set_offline(True)
    page.select_option("#pick-entrance", label="1")
    page.select_option("#pick-flat", label="101")
    page.fill(f"#q-{q[1]}", "2")
    page.click("#visit-submit")
    expect(page.locator("#visit-status")).to_have_text("没有网络：本户记录已保存在手机上，联网后自动提交")
    expect(page.locator("#visit-waiting")).to_have_text("1 户记录等待提交")
    page.reload()  # offline: the service worker serves the page and the register
    page.wait_for_selector("body[data-ready='1']", state="attached")
    expect(page.locator("#visit-waiting")).to_have_text("1 户记录等待提交")
    assert HouseholdVisit.objects.count() == 1
    page.context.set_offline(False)
    expect(page.locator("#visit-waiting")).to_have_attribute("data-count", "0")
    expect(progress).to_contain_text(f"2 / {total}")
    assert (HouseholdVisit.objects.count(), VisitReceipt.objects.count(), OfflineChange.objects.count()) == (2, 2, 1)
    # offline, only the requests that could not leave the phone failed (the menu's htmx polls among them)
    assert [p for p in watch.problems if "ERR_INTERNET_DISCONNECTED" not in p and "htmx:" not in p] == []
    watch.clear()

    page.get_by_role("link", name="走访进度与未走访住户").click()
    unreached = page.locator(f'section.unreached[data-compound="{tree.compound1.public_id}"]')
    expect(unreached).not_to_contain_text("3栋2单元501室")
    expect(unreached).not_to_contain_text("3栋1单元101室")
    assert horizontal_overflow(page) == 0
    assert watch.problems == []
