"""Gate scans are kept 28 days (xiachen/passes/personal_data.py), on either database: the daily
`drop_expired_partitions` job deletes every older scan with what refers to it, and audits the count
(on PostgreSQL whole months go as partitions, tested in test_partitions.py)."""

import uuid
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from xiachen.audit.models import AuditEvent
from xiachen.passes.models import Disagreement, Scan
from xiachen.passes.personal_data import SCAN_RETENTION_DAYS


def _scan(tree, people, at) -> Scan:
    return Scan.objects.create(
        client_uuid=uuid.uuid4(), device_id="d1", gate=tree.compound1, gate_path=tree.compound1.path,
        recorded_by=people.worker1, scanned_at=at, received_at=at, direction="in", client_valid=True,
        client_reason="valid", server_valid=True, server_reason="valid",
    )


def test_scans_older_than_the_retention_go_with_their_dependents_and_the_rest_stay(tree, people):
    now = timezone.now()
    expired = _scan(tree, people, now - timedelta(days=SCAN_RETENTION_DAYS, minutes=5))
    Disagreement.objects.create(scan=expired, gate_path=expired.gate_path)
    kept = _scan(tree, people, now - timedelta(days=SCAN_RETENTION_DAYS, minutes=-5))
    Disagreement.objects.create(scan=kept, gate_path=kept.gate_path)

    call_command("drop_expired_partitions")

    assert list(Scan.objects.values_list("client_uuid", flat=True)) == [kept.client_uuid]
    assert list(Disagreement.objects.values_list("scan_id", flat=True)) == [kept.client_uuid]
    event = AuditEvent.objects.get(action="passes.scans_expired")
    assert event.fields == {"rows": 1, "retention_days": SCAN_RETENTION_DAYS}
    call_command("drop_expired_partitions")  # nothing left to delete: no second audit row
    assert AuditEvent.objects.filter(action="passes.scans_expired").count() == 1
