import io
import subprocess
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from xiachen.accounts.enums import Role
from xiachen.audit.models import AuditEvent
from xiachen.deployments.outputs import (
    AGENCY_HEADERS,
    UNIT_HEADERS,
    assignment_notice_pdf,
    notice_html,
    plan_workbook_for_agency,
)
from xiachen.deployments.services import RoundError, decide_nomination, publish_round, start_matching

from ..factories import user_with_role


@pytest.fixture
def published_round(draft_round, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start_matching(by=people.org_department, round_=draft_round)
    draft_round.refresh_from_db()
    for match in draft_round.matches.select_related("cadre__agency"):
        liaison = people.liaison1 if match.cadre.agency.code == "A-AUDIT" else people.liaison2
        decide_nomination(by=liaison, match=match, confirm=True)
    return publish_round(by=people.org_department, round_=draft_round)


@pytest.fixture
def finance(published_round):
    """The audit cadre (agency1) sent to community1."""
    return published_round.matches.select_related("cadre", "demand").get(
        demand__post_type__code="finance_audit_support"
    )


@pytest.fixture
def quarantine(published_round, tree):
    """The medic (agency2) sent to community2, who has an account of their own."""
    match = published_round.matches.select_related("cadre").get(demand__post_type__code="quarantine_service")
    match.cadre.user = user_with_role(Role.CADRE, tree.community2, username="medic")
    match.cadre.save()
    match.demand.hazard = "high"
    match.demand.save()
    return match


def _sheet_rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


def _agency_url(round_, agency) -> str:
    return reverse("deployments:plan_agency_xlsx", args=[round_.public_id, agency.public_id])


def _unit_url(round_, unit) -> str:
    return reverse("deployments:plan_unit_xlsx", args=[round_.public_id, unit.public_id])


def _notice_url(match) -> str:
    return reverse("deployments:notice_pdf", args=[match.public_id])


def test_agency_workbook_lists_only_the_agencys_cadres(client, published_round, finance, tree, people):
    client.force_login(people.liaison1)
    response = client.get(_agency_url(published_round, tree.agency1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = _sheet_rows(response.content)
    assert rows[0] == tuple(AGENCY_HEADERS)
    assert rows[1:] == [
        (
            finance.cadre.name,
            getattr(finance.cadre.department, "name", None),
            finance.cadre.get_rank_display(),
            "车站路社区",
            "财务审计支援",
            "2026-12-01 至 2026-12-31",
            8,
            "低（常规防护）",
            "派出单位已确认",
        )
    ]


def test_agency_workbook_is_audited_with_counts_only(published_round, tree, people):
    plan_workbook_for_agency(by=people.org_department, round_=published_round, agency=tree.agency2)
    event = AuditEvent.objects.get(action="round.plan_exported")
    assert (event.target_id, event.fields) == (str(published_round.public_id), {"scope": "agency", "rows": 1})


def test_unit_workbook_lists_the_cadres_coming_with_their_agency(client, published_round, finance, tree, people):
    client.force_login(people.manager1)
    response = client.get(_unit_url(published_round, tree.community1))
    assert response.status_code == 200
    rows = _sheet_rows(response.content)
    assert rows[0] == tuple(UNIT_HEADERS)
    assert [row[:2] + row[4:6] for row in rows[1:]] == [
        (finance.cadre.name, "武汉市审计局", "车站路社区", "财务审计支援")
    ]


def test_unit_workbook_covers_the_subtree_for_the_organization_department(client, published_round, tree, people):
    client.force_login(people.org_department)
    response = client.get(_unit_url(published_round, tree.city))
    assert [row[4] for row in _sheet_rows(response.content)[1:]] == ["车站路社区", "桥口社区"]


def test_workbook_escapes_a_formula_in_a_name(published_round, finance, tree, people):
    finance.cadre.name = "=HYPERLINK(1)"
    finance.cadre.save()
    content = plan_workbook_for_agency(by=people.org_department, round_=published_round, agency=tree.agency1)
    assert _sheet_rows(content)[1][0] == "=HYPERLINK(1)"  # shown as written: a quote-prefixed text cell
    cell = openpyxl.load_workbook(io.BytesIO(content)).active["A2"]
    assert (cell.data_type, cell.quotePrefix) == ("s", True)


def test_other_agencys_liaison_gets_404_for_the_agency_workbook(client, published_round, tree, people):
    client.force_login(people.liaison2)
    assert client.get(_agency_url(published_round, tree.agency1)).status_code == 404
    assert not AuditEvent.objects.filter(action="round.plan_exported").exists()


def test_agency_workbook_service_refuses_another_agencys_liaison(published_round, tree, people):
    with pytest.raises(PermissionDenied):
        plan_workbook_for_agency(by=people.liaison2, round_=published_round, agency=tree.agency1)


def test_other_units_manager_gets_404_for_the_unit_workbook(client, published_round, tree, people):
    client.force_login(people.manager2)
    assert client.get(_unit_url(published_round, tree.community1)).status_code == 404
    assert client.get(_unit_url(published_round, tree.community2)).status_code == 200


def test_draft_round_has_no_outputs(client, draft_round, tree, people):
    client.force_login(people.org_department)
    assert client.get(_agency_url(draft_round, tree.agency1)).status_code == 404
    assert client.get(_unit_url(draft_round, tree.community1)).status_code == 404
    with pytest.raises(RoundError):
        plan_workbook_for_agency(by=people.org_department, round_=draft_round, agency=tree.agency1)


def test_cadre_prints_their_own_notice(client, quarantine):
    client.force_login(quarantine.cadre.user)
    response = client.get(_notice_url(quarantine))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="notice-{quarantine.public_id}.pdf"'
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action="match.notice_printed")
    assert (event.target_id, event.fields) == (str(quarantine.public_id), {"pages": 1})


@pytest.mark.parametrize("persona", ["cadre", "liaison1", "manager1", "manager2"])
def test_notice_of_someone_else_is_404(client, quarantine, people, persona):
    user = quarantine.cadre.user if persona == "cadre" else getattr(people, persona)
    finance = quarantine.round.matches.get(demand__post_type__code="finance_audit_support")
    client.force_login(user)
    assert client.get(_notice_url(finance if persona == "cadre" else quarantine)).status_code == 404


@pytest.mark.parametrize("persona", ["org_department", "liaison2"])
def test_organization_department_and_the_agencys_liaison_print_a_notice(client, quarantine, people, persona):
    client.force_login(getattr(people, persona))
    assert client.get(_notice_url(quarantine)).status_code == 200


def test_notice_service_refuses_another_cadre(finance, quarantine):
    with pytest.raises(PermissionDenied):
        assignment_notice_pdf(by=quarantine.cadre.user, match=finance)


def test_notice_names_the_cadre_unit_post_and_hazard(quarantine):
    html = notice_html(quarantine, issued_on=date(2026, 11, 20))
    for text in (
        "派驻通知",
        quarantine.cadre.name,
        "武汉市卫生健康委员会",
        "桥口社区",
        "隔离户服务",
        "2026年12月1日",
        "高（防护服）",
        "须穿戴全套防护服",
        "扫描接收单位张贴的报到二维码",
        "组织部",
        "2026年11月20日",
    ):
        assert text in html
    assert quarantine.cadre.phone not in html
    assert quarantine.cadre.id_number not in html


def test_notice_pdf_text_is_chinese(quarantine, people):
    content = assignment_notice_pdf(by=people.org_department, match=quarantine)
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    for expected in ("派驻通知", quarantine.cadre.name, "桥口社区", "隔离户服务"):
        assert expected in text
