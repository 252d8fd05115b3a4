"""The agency kind × post type affinity matrix: defaults, htmx cell edits, audit, permission."""

import pytest
from django.urls import reverse

from xiachen.audit.models import AuditEvent
from xiachen.deployments.demand_services import DemandError, set_affinity
from xiachen.deployments.models import AffinityWeight, PostType
from xiachen.deployments.planning import affinity_table
from xiachen.deployments.selectors import affinity_matrix
from xiachen.org.models import AgencyKind


def weight_of(kind: str, post: str) -> int | None:
    return AffinityWeight.objects.filter(agency_kind__code=kind, post_type__code=post).values_list(
        "weight", flat=True
    ).first()


def cell_url(kind: str = "audit", post: str = "finance_audit_support") -> str:
    return reverse("deployments:affinity_set", args=[kind, post])


def test_affinity_matrix_has_every_kind_and_post_type_with_default_30(tree):
    matrix = affinity_matrix()
    cells = {(c.agency_kind.code, c.post_type.code): c for _kind, row in matrix.rows for c in row}
    assert len(matrix.rows) == AgencyKind.objects.count()
    assert len(cells) == AgencyKind.objects.count() * PostType.objects.count()
    assert (cells["audit", "finance_audit_support"].weight, cells["audit", "finance_audit_support"].is_default) == (
        100,
        False,
    )
    assert (cells["organization", "gate_duty"].weight, cells["organization", "gate_duty"].is_default) == (30, True)


def test_affinity_page_shows_the_matrix_to_organization_department(client, people):
    client.force_login(people.org_department)
    response = client.get(reverse("deployments:affinity"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="affinity-audit-finance_audit_support"' in html and 'value="100"' in html
    assert 'hx-target="closest td"' in html and "<script>" not in html


def test_affinity_cell_save_by_htmx_returns_the_cell_and_is_audited(client, people):
    client.force_login(people.org_department)
    response = client.post(cell_url(), {"weight": "40"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<td id="affinity-audit-finance_audit_support">')
    assert 'value="40"' in html and "已保存" in html
    assert weight_of("audit", "finance_audit_support") == 40
    event = AuditEvent.objects.get(action="affinity.set")
    assert event.fields == {
        "agency_kind": "audit",
        "post_type": "finance_audit_support",
        "old_weight": 100,
        "old_was_default": False,
        "new_weight": 40,
    }
    assert affinity_table()[("audit", PostType.objects.get(code="finance_audit_support").pk)] == 40


def test_affinity_set_on_default_pair_records_default_as_old_weight(people):
    kind, post = AgencyKind.objects.get(code="organization"), PostType.objects.get(code="gate_duty")
    set_affinity(by=people.org_department, agency_kind=kind, post_type=post, weight=0)
    assert weight_of("organization", "gate_duty") == 0
    fields = AuditEvent.objects.get(action="affinity.set").fields
    assert (fields["old_weight"], fields["old_was_default"], fields["new_weight"]) == (30, True, 0)


def test_affinity_cell_save_without_htmx_redirects_to_the_matrix(client, people):
    client.force_login(people.org_department)
    response = client.post(cell_url(), {"weight": "55"})
    assert response.status_code == 302 and response["Location"] == reverse("deployments:affinity")
    assert weight_of("audit", "finance_audit_support") == 55


@pytest.mark.parametrize("weight", ["101", "-1", "abc", ""])
def test_affinity_weight_out_of_range_is_refused_with_chinese_message(client, people, weight):
    client.force_login(people.org_department)
    response = client.post(cell_url(), {"weight": weight}, HTTP_HX_REQUEST="true")
    assert "匹配度应为 0 到 100 之间的整数" in response.content.decode()
    assert weight_of("audit", "finance_audit_support") == 100
    assert not AuditEvent.objects.filter(action="affinity.set").exists()


def test_set_affinity_service_refuses_out_of_range_weight(people):
    kind, post = AgencyKind.objects.get(code="audit"), PostType.objects.get(code="gate_duty")
    with pytest.raises(DemandError, match="匹配度应为 0 到 100 之间的整数"):
        set_affinity(by=people.org_department, agency_kind=kind, post_type=post, weight=101)
    assert weight_of("audit", "gate_duty") is None


@pytest.mark.parametrize("persona", ["manager1", "liaison1"])
def test_affinity_edit_is_refused_for_other_roles(client, people, persona):
    client.force_login(getattr(people, persona))
    assert client.get(reverse("deployments:affinity")).status_code == 403
    response = client.post(cell_url(), {"weight": "10"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert weight_of("audit", "finance_audit_support") == 100
    assert not AuditEvent.objects.filter(action="affinity.set").exists()


def test_affinity_set_for_unknown_pair_is_404(client, people):
    client.force_login(people.org_department)
    assert client.post(cell_url("nope", "gate_duty"), {"weight": "10"}).status_code == 404
