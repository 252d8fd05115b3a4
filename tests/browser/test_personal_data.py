import pytest

from xiachen.audit.models import AuditEvent

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_id_number_is_masked_and_show_works_for_the_community_manager(page, people, resident1):
    sign_in(page, "manager1")
    page.goto(f"{page.base_url}/households/{resident1.household.public_id}/")
    cell = page.locator(f"#id-number-{resident1.public_id.hex}")
    assert cell.locator(".masked").inner_text() == resident1.masked_id_number
    cell.locator("button[data-reveal]").click()
    page.wait_for_selector(f"#id-number-{resident1.public_id.hex} .revealed")
    assert cell.inner_text().strip() == resident1.id_number
    event = AuditEvent.objects.get(action="resident.personal_revealed")
    assert (event.actor_label, event.fields) == ("manager1", {"field": "id_number"})


def test_show_is_absent_for_a_role_without_permission(page, people, resident1):
    sign_in(page, "org")
    page.goto(f"{page.base_url}/households/{resident1.household.public_id}/")
    cell = page.locator(f"#id-number-{resident1.public_id.hex}")
    assert cell.inner_text().strip() == resident1.masked_id_number
    assert cell.locator("button[data-reveal]").count() == 0
    assert resident1.id_number not in page.content()
    assert not AuditEvent.objects.filter(action="resident.personal_revealed").exists()
