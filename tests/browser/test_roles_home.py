import pytest

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_PANEL = {
    "org_department": "组织部",
    "liaison1": "派出单位联络员",
    "manager1": "社区/接收单位负责人",
    "worker1": "社区工作者",
    "cadre_user1": "下沉干部",
    "hotline": "热线坐席",
    "auditor": "审计管理员",
    "sysadmin": "系统管理员",
}


def test_each_role_signs_in_and_lands_on_its_home(page, people):
    for persona, role_label in HOME_PANEL.items():
        user = getattr(people, persona)
        page.context.clear_cookies()
        sign_in(page, user.username)
        assert page.url == f"{page.base_url}/"
        assert page.locator("section.card h2").first.inner_text().startswith(role_label)
        assert page.locator("#current-user").inner_text() == str(user)


def test_a_resident_signing_in_on_the_staff_login_lands_on_the_resident_site(page, people):
    sign_in(page, people.resident_user1.username)
    assert page.url == f"{page.base_url}/r/"


def test_wrong_password_shows_chinese_error(page, people):
    sign_in(page, "manager1", "not-the-password")
    assert "用户名或密码不正确" in page.locator("#login-form").inner_text()
    assert page.url.endswith("/login/")


def test_navigation_works_on_a_phone(phone_page, people):
    sign_in(phone_page, "org")
    assert not phone_page.locator("nav.mainnav").is_visible()
    phone_page.click("label.nav-toggle-label")
    phone_page.click("details[data-navgroup=people] summary")
    phone_page.click("nav.mainnav >> text=干部")
    assert phone_page.locator("h1").inner_text() == "干部名册"
