"""The 双报到 pages through the test client: both sides see a pairing's projects, a refused
registration never echoes the ID number, the community confirms from the member page, and list
pages run the same number of queries for one item as for three."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import HouseholdFactory, ResidentFactory, user_with_role
from xiachen.accounts.enums import Role
from xiachen.volunteers.enums import RegistrationStatus
from xiachen.volunteers.models import Member, Pairing, PairingProject

from .world import make_activity, make_member


def test_the_organization_department_pairs_and_both_sides_keep_the_projects(client, tree, people):
    client.force_login(people.org_department)
    client.post(reverse("volunteers:pairing_new"), {
        "agency": tree.agency1.pk, "community": tree.community1.pk, "started_on": timezone.localdate().isoformat()})
    pairing = Pairing.objects.get(agency=tree.agency1, community=tree.community1)
    client.force_login(people.liaison1)
    client.post(reverse("volunteers:project_add", args=[pairing.public_id]), {
        "title": "法律咨询进社区", "owner": "陈静", "schedule": "每月第二个周六", "starts_on": timezone.localdate()})
    project = PairingProject.objects.get(pairing=pairing)
    client.force_login(people.manager1)
    client.post(reverse("volunteers:project_move", args=[project.public_id]),
                {"status": "in_progress", "progress_note": "已开展两次"})
    page = client.get(reverse("volunteers:pairing", args=[pairing.public_id])).content.decode()
    assert "法律咨询进社区" in page and "陈静" in page and "进行中（已开展两次）" in page
    client.force_login(people.manager2)
    assert client.get(reverse("volunteers:pairing", args=[pairing.public_id])).status_code == 404


def test_a_refused_registration_does_not_echo_the_id_number(client, tree, people, resident1):
    client.force_login(people.resident_user1)
    wrong = resident1.id_number[:17] + ("1" if resident1.id_number[17] == "0" else "0")
    response = client.post(reverse("resident:volunteer_register"), {
        "kind": "party_member", "agency": tree.agency1.pk, "id_number": wrong, "contact_preference": "sms"})
    body = response.content.decode()
    assert response.status_code == 200 and "校验位错误" in body
    assert wrong not in body and resident1.id_number not in body
    assert not Member.objects.exists()


def test_the_community_confirms_from_the_member_page(client, tree, people, resident1):
    member = make_member(resident1, tree.community1, status=RegistrationStatus.PENDING)
    client.force_login(people.worker1)
    page = client.get(reverse("volunteers:member", args=[member.public_id])).content.decode()
    assert 'id="confirm-member"' in page
    client.post(reverse("volunteers:member_review", args=[member.public_id]), {"decision": "confirm"})
    member.refresh_from_db()
    assert member.status == RegistrationStatus.CONFIRMED


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _more_members(tree, count: int):
    for number in range(count):
        user = user_with_role(Role.RESIDENT, tree.compound1, username=f"more{number}")
        resident = ResidentFactory(household=HouseholdFactory(compound=tree.compound1), user=user)
        make_member(resident, tree.community1, agency=tree.agency1)


def test_list_pages_do_not_query_per_item(client, tree, people, resident1):
    member = make_member(resident1, tree.community1, agency=tree.agency1)
    Pairing.objects.create(agency=tree.agency1, community=tree.community1, started_on=timezone.localdate())
    make_activity(tree.community1)
    pages = [(people.manager1, reverse("volunteers:members")),
             (people.manager1, reverse("volunteers:activities")),
             (people.org_department, reverse("volunteers:pairings")),
             (people.resident_user1, reverse("resident:volunteer"))]
    counts = []
    for user, url in pages:
        client.force_login(user)
        _queries(client, url)  # warm the per-process caches (vocabularies, URLconf)
        counts.append(_queries(client, url))
    _more_members(tree, 2)
    make_activity(tree.community1)
    make_activity(tree.community1)
    Pairing.objects.create(agency=tree.agency2, community=tree.community1, started_on=timezone.localdate())
    Pairing.objects.create(agency=tree.department1, community=tree.community2, started_on=timezone.localdate())
    assert member.status == RegistrationStatus.CONFIRMED
    after = []
    for user, url in pages:
        client.force_login(user)
        after.append(_queries(client, url))
    assert after == counts


def test_the_community_managers_home_lists_registrations_to_confirm_and_hours_to_approve(client, tree, people):
    from xiachen.accounts.todo import home_panels

    make_member(people.resident_user1.resident, tree.community1, agency=tree.agency1,
                status=RegistrationStatus.PENDING)

    def waiting(user) -> dict[str, tuple[int, str]]:
        panel = next(p for p in home_panels(user) if p.role == Role.UNIT_MANAGER)
        return {todo.label: (todo.count, todo.url) for todo in panel.todos}

    members_url = reverse("volunteers:members") + "?status=pending"
    assert waiting(people.manager1)["报到待确认"] == (1, members_url)
    assert waiting(people.manager2)["报到待确认"] == (0, members_url)  # another community's registration
    assert waiting(people.manager1)["服务时长待审核"] == (0, reverse("volunteers:records") + "?status=pending")
    client.force_login(people.manager1)
    assert members_url in client.get(reverse("accounts:home")).content.decode()
