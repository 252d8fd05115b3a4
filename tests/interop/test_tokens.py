"""API tokens: issued once and stored as a keyed digest, scoped by role, units and scopes, expiring,
revocable, each use counted and audited once per interval; writes are idempotent by key."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from xiachen.audit.models import AuditEvent
from xiachen.hotline.models import Ticket
from xiachen.interop.models import ApiToken
from xiachen.interop.tokens import revoke_token

from .conftest import bearer, make_token

TICKET = {"caller_name": "王小明", "caller_phone": "13912345678", "category": "general",
          "description": "楼道灯坏了", "urgency": "normal"}


def _file(client, raw, place, *, key=None, **changes):
    body = TICKET | {"place": str(place.public_id)} | changes
    return client.post("/api/hotline/tickets", body, content_type="application/json",
                       HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()), **bearer(raw))


def test_token_is_stored_as_a_digest_and_works_as_bearer(client, operator_token):
    token, raw = operator_token
    assert raw.startswith(f"xc_{token.prefix}_") and len(raw) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values_list("digest", flat=True).get()
    assert raw not in stored and raw.split("_", 2)[2] not in stored
    assert client.get("/api/hotline/tickets", **bearer(raw)).status_code == 200
    assert client.get("/api/hotline/tickets", **bearer(raw[:-1] + ("A" if raw[-1] != "A" else "B"))).status_code == 401
    assert client.get("/api/hotline/tickets", **bearer(f"xc_{token.prefix}_guess")).status_code == 401


def test_revoked_and_expired_tokens_are_refused(client, people, tree, operator_token):
    token, raw = operator_token
    revoke_token(by=people.sysadmin, token=token)
    assert client.get("/api/units/", **bearer(raw)).status_code == 401
    expired, raw2 = make_token(people, [tree.district1])
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/units/", **bearer(raw2)).status_code == 401


def test_every_use_is_counted_and_audited_once_per_interval(client, operator_token):
    token, raw = operator_token
    for _ in range(3):
        assert client.get("/api/units/", **bearer(raw)).status_code == 200
    token.refresh_from_db()
    assert token.use_count == 3 and token.last_used_at is not None
    used = AuditEvent.objects.filter(action="api_token.used", target_id=str(token.public_id))
    assert used.count() == 1
    assert used.get().actor_label == f"api-{token.prefix}"


def test_a_write_is_audited_with_the_token_as_actor_and_answers_masked(client, tree, operator_token):
    token, raw = operator_token
    response = _file(client, raw, tree.compound1)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["caller_phone"] == "139****5678" and body["caller_name"] == "王**"
    ticket = Ticket.objects.get(public_id=body["public_id"])
    assert ticket.source == "api" and ticket.created_by == token.user
    assert AuditEvent.objects.filter(action="ticket.created", actor_id=token.user_id).count() == 1


def test_units_bound_the_token(client, tree, operator_token):
    _token, raw = operator_token
    assert _file(client, raw, tree.compound2).status_code == 404  # district2: not the token's
    assert Ticket.objects.count() == 0


def test_scopes_narrow_the_role(client, people, tree, hotline_defaults):
    _token, read_only = make_token(people, [tree.district1], scopes=["read"])
    assert client.get("/api/hotline/tickets", **bearer(read_only)).status_code == 200
    assert _file(client, read_only, tree.compound1).status_code == 403
    assert Ticket.objects.count() == 0


def test_same_key_same_body_replays_and_another_body_is_refused(client, tree, operator_token):
    _token, raw = operator_token
    first = _file(client, raw, tree.compound1, key="k-1")
    again = _file(client, raw, tree.compound1, key="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert Ticket.objects.count() == 1
    other = _file(client, raw, tree.compound1, key="k-1", description="另一件事")
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]
    assert Ticket.objects.count() == 1


def test_a_refusal_is_stored_under_its_key_too(client, tree, operator_token):
    _token, raw = operator_token
    bad = _file(client, raw, tree.compound1, key="k-2", caller_phone="12")
    assert bad.status_code == 400 and "联系电话" in bad.json()["detail"]
    assert _file(client, raw, tree.compound1, key="k-2", caller_phone="12").json() == bad.json()


def test_writes_need_an_idempotency_key(client, tree, operator_token):
    _token, raw = operator_token
    body = TICKET | {"place": str(tree.compound1.public_id)}
    response = client.post("/api/hotline/tickets", body, content_type="application/json", **bearer(raw))
    assert response.status_code == 422


@pytest.mark.parametrize("role", ["org_department", "system_admin", "security_auditor", "resident"])
def test_powerful_and_personal_roles_cannot_be_given_to_a_token(people, tree, role):
    from xiachen.interop.tokens import TokenError

    with pytest.raises(TokenError):
        make_token(people, [tree.city], role=role)
