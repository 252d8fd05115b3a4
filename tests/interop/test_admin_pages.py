"""The administrator's pages: a token and a webhook secret are shown once, in the answer to the POST."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from xiachen.interop.models import ApiToken, WebhookEndpoint

from .conftest import bearer


def test_the_administrator_issues_uses_and_revokes_a_token(client, people, tree):
    client.force_login(people.sysadmin)
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(reverse("interop:token_new"), {
        "name": "区12345平台", "role": "hotline_operator", "units": [str(tree.district1.public_id)],
        "scopes": ["read", "hotline"], "expires_on": expires})
    assert response.status_code == 200
    raw = re.search(r'id="token-text">(xc_[\w-]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert (token.role, list(token.units.all()), token.scopes) == ("hotline_operator", [tree.district1],
                                                                    ["hotline", "read"])
    assert raw not in client.get(reverse("interop:tokens")).content.decode()  # shown once
    assert client.get("/api/units/", **bearer(raw)).status_code == 200
    client.post(reverse("interop:token_revoke", args=[token.public_id]))
    # still signed in as the administrator: a failed bearer token does not fall back to the session
    assert client.get("/api/units/", **bearer(raw)).status_code == 401


def test_a_token_cannot_get_the_organization_departments_role(client, people, tree):
    client.force_login(people.sysadmin)
    response = client.post(reverse("interop:token_new"), {
        "name": "全市", "role": "org_department", "units": [str(tree.city.public_id)], "scopes": ["read"],
        "expires_on": (timezone.localdate() + timedelta(days=3)).isoformat()})
    assert response.status_code == 400 and not ApiToken.objects.exists()


def test_the_administrator_adds_a_webhook_endpoint_and_sees_its_secret_once(client, people, tree):
    client.force_login(people.sysadmin)
    response = client.post(reverse("interop:webhook_new"), {
        "name": "区平台", "url": "https://hooks.example.gov.cn/xiachen", "unit": str(tree.district1.public_id),
        "event_types": ["ticket.created", "fever.alert"]})
    assert response.status_code == 200
    secret = re.search(r'id="webhook-secret">(whsec_[\w-]+)<', response.content.decode()).group(1)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == secret and endpoint.event_types == ["fever.alert", "ticket.created"]
    detail = client.get(reverse("interop:webhook_detail", args=[endpoint.public_id])).content.decode()
    assert secret not in detail and "发热预警" in detail
