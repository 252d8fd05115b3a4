"""Residents stay on the resident site: the staff home sends them on, staff pages refuse them in the
resident layout, and what they may still need on the staff side (a forced password change) works."""

from django.urls import reverse


def test_staff_home_sends_a_resident_to_the_resident_home(client, people):
    client.force_login(people.resident_user1)
    response = client.get(reverse("accounts:home"))
    assert response["Location"] == reverse("resident:home")


def test_a_staff_page_open_to_everyone_refuses_a_resident_with_the_way_home(client, people):
    client.force_login(people.resident_user1)
    response = client.get(reverse("rosters:mine"))
    body = response.content.decode()
    assert response.status_code == 403
    assert 'id="elder-toggle"' in body and reverse("resident:home") in body


def test_staff_keep_their_pages(client, people):
    client.force_login(people.cadre_user1)
    assert client.get(reverse("rosters:mine")).status_code == 200


def test_a_resident_told_to_change_the_password_can(client, people):
    people.resident_user1.must_change_password = True
    people.resident_user1.save(update_fields=["must_change_password"])
    client.force_login(people.resident_user1)
    response = client.get(reverse("resident:home"))
    assert response["Location"] == reverse("accounts:password_change")
    assert client.get(reverse("accounts:password_change")).status_code == 200
