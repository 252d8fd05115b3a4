"""On a phone: a resident signs in with a one-time code, opens the survey from the home page,
answers it (a follow-up question appears through skip logic), edits the answer; the manager sees
the result chart drawn by the vendored ECharts."""

import pytest
from playwright.sync_api import expect

from xiachen.surveys import services
from xiachen.surveys.models import Answer, Participation

from .conftest import sign_in
from .test_errands_phone import codes  # noqa: F401  # the fixture catching logged sign-in codes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def survey(people, tree):
    by = people.manager1
    survey = services.create_survey(by=by, title="生活物资需求调查", compounds=[tree.compound1])
    need = services.add_question(by=by, survey=survey, kind="single", text="家里缺物资吗？", choices=["缺", "不缺"])
    services.add_question(by=by, survey=survey, kind="multiple", text="缺什么？", choices=["米", "菜", "药"],
                          show_if=need, show_if_value="缺")
    services.add_question(by=by, survey=survey, kind="rating", text="对社区服务打分")
    return services.open_survey(by=by, survey=survey)


def test_resident_answers_a_survey_on_a_phone(phone_page, page, people, resident1, survey, codes):  # noqa: F811
    resident = phone_page
    resident.goto(f"{resident.base_url}/r/login/")
    resident.fill("#id_phone", resident1.phone)
    resident.click("#phone-form button[type=submit]")
    resident.wait_for_url("**/r/login/code/")
    resident.fill("#id_code", codes[-1])
    resident.click("#code-form button[type=submit]")
    resident.wait_for_url(f"{resident.base_url}/r/")

    assert resident.locator("#hotline-link").is_visible()
    resident.click("#surveys-link")
    assert "待填写" in resident.locator("#survey-list").inner_text()
    resident.click("#survey-list a")
    follow_up = resident.locator("#question-2")
    expect(follow_up).to_be_hidden()  # waits for the deferred skip-logic script
    resident.check("#question-1 input[value='缺']")
    expect(follow_up).to_be_visible()
    resident.check("#question-2 input[value='米']")
    resident.check("#question-2 input[value='药']")
    resident.select_option("#question-3 select", "4")
    resident.click("#survey-submit")
    resident.wait_for_url("**/r/surveys/")
    assert "感谢参与" in resident.locator(".flash").inner_text()
    assert "已填写" in resident.locator("#survey-list").inner_text()

    # editable until the survey closes: the answers come back, the follow-up hides again
    resident.click("#survey-list a")
    assert resident.locator("#question-2 input[value='药']").is_checked()
    resident.check("#question-1 input[value='不缺']")
    expect(follow_up).to_be_hidden()  # waits for the deferred skip-logic script
    resident.click("#survey-submit")
    resident.wait_for_url("**/r/surveys/")
    assert "答卷已修改" in resident.locator(".flash").inner_text()
    assert Participation.objects.filter(survey=survey).count() == 1
    assert sorted(str(a.value) for a in Answer.objects.filter(response__survey=survey)) == ["4", "不缺"]

    manager = page
    sign_in(manager, "manager1")
    manager.goto(f"{manager.base_url}/surveys/{survey.public_id}/results/")
    manager.wait_for_selector("#survey-results .chart canvas")
    assert "1 / 1" in manager.locator("#survey-rate").inner_text()
