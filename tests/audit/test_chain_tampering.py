"""Every way of tampering with the audit trail shows (issue 15, item 6): a rewritten row even with
all later digests recomputed, deleted newest rows, an emptied table; on PostgreSQL the database
refuses TRUNCATE itself. The attacker here has full SQL access but not XIACHEN_AUDIT_KEYS."""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from xiachen.audit import keys
from xiachen.audit.models import AuditEvent
from xiachen.audit.services import GENESIS, _canonical, record, verify_chain, write_checkpoint


def _events(actor, n=5):
    return [record(actor=actor, action=f"test.event{i}", fields={"n": i}) for i in range(n)]


def _sql(*statements: tuple[str, list]) -> None:
    """Raw SQL behind the application's back; on PostgreSQL the append-only triggers are lifted first
    (as an attacker owning the table could), so what is tested is detection, not the trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


def test_new_events_are_keyed_hmacs_not_plain_hashes(people):
    event = _events(people.manager1, 1)[0]
    assert event.key_id == keys.current()[0]
    plain = hashlib.sha256(event.previous_digest.encode() + _canonical(event)).hexdigest()
    assert event.digest != plain


def test_a_rewritten_row_with_every_later_digest_recomputed_is_caught(people):
    events = _events(people.manager1)
    # The attacker rewrites event 2 and recomputes the chain from there with SHA-256 (no key),
    # keeping the key ids, and moves the chain head along.
    rows = list(AuditEvent.objects.order_by("id"))
    previous = rows[1].digest
    statements = []
    for row in rows[2:]:
        if row.pk == events[2].pk:
            row.action = "test.forged"
        row.previous_digest = previous
        row.digest = hashlib.sha256(previous.encode() + _canonical(row)).hexdigest()
        statements.append(("UPDATE audit_auditevent SET action = %s, previous_digest = %s, digest = %s WHERE id = %s",
                           [row.action, row.previous_digest, row.digest, row.pk]))
        previous = row.digest
    statements.append(("UPDATE audit_auditchainhead SET digest = %s WHERE id = 1", [previous]))
    _sql(*statements)
    report = verify_chain()
    assert not report.intact
    assert report.first_broken_id == events[2].pk


def test_a_wrong_or_retired_key_cannot_be_used_to_forge(people, settings):
    events = _events(people.manager1, 2)
    attacker_key = b"k" * 32
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.action = "test.forged"
    digest = keys.mac(attacker_key, forged.previous_digest.encode() + _canonical(forged))
    _sql(("UPDATE audit_auditevent SET action = %s, digest = %s WHERE id = %s", [forged.action, digest, forged.pk]),
         ("UPDATE audit_auditchainhead SET digest = %s WHERE id = 1", [digest]))
    assert verify_chain().first_broken_id == events[1].pk


def test_deleting_the_newest_rows_is_caught_by_the_head_and_the_anchor(people):
    _events(people.manager1)
    write_checkpoint()
    last_two = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:2])
    _sql(("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", last_two))
    report = verify_chain()
    assert not report.intact and "删除" in report.problem
    # Even with the chain head moved back to the new last row, the signed checkpoint remembers.
    new_last = AuditEvent.objects.order_by("-id").values_list("digest", flat=True).first()
    _sql(("UPDATE audit_auditchainhead SET digest = %s WHERE id = 1", [new_last]))
    report = verify_chain()
    assert not report.intact and "锚定检查点" in report.problem
    with pytest.raises(CommandError, match="锚定检查点"):
        call_command("verify_audit_chain")


def test_emptying_the_table_is_caught_by_the_anchor(people):
    _events(people.manager1)
    write_checkpoint()
    _sql(("DELETE FROM audit_auditevent", []), ("UPDATE audit_auditchainhead SET digest = %s WHERE id = 1", [GENESIS]))
    report = verify_chain()
    assert report.checked == 0 and not report.intact
    assert "清空" in report.problem


def test_a_forged_checkpoint_line_is_refused(people):
    _events(people.manager1)
    write_checkpoint()
    path = keys.anchor_path()
    anchor = json.loads(path.read_text().splitlines()[0])
    anchor["count"] = 1
    path.write_text(json.dumps(anchor) + "\n")
    assert "签名无效" in verify_chain().problem


def test_an_intact_chain_with_checkpoints_verifies(people):
    _events(people.manager1, 2)
    write_checkpoint()
    _events(people.manager1, 2)
    call_command("anchor_audit_chain")
    assert verify_chain().intact
    assert len(keys.anchor_path().read_text().splitlines()) == 2


def test_a_rotated_key_still_verifies_old_events(people, settings):
    old = _events(people.manager1, 2)
    new_key = "bmV3LWtleS1mb3ItdGhlLWF1ZGl0LWNoYWluLTMyLWJ5dGVz"
    settings.XIACHEN_AUDIT_KEYS = f"{new_key},{settings.XIACHEN_AUDIT_KEYS}"
    newer = _events(people.manager1, 1)
    assert newer[0].key_id != old[0].key_id
    assert verify_chain().intact


def test_postgresql_refuses_truncate_without_the_test_only_setting(people):
    if connection.vendor != "postgresql":
        # SQLite has no TRUNCATE; DELETE FROM is what emptying means there, caught by the anchor above.
        assert connection.vendor == "sqlite"
        return
    _events(people.manager1, 1)
    with connection.cursor() as cursor:
        cursor.execute("SET xiachen.allow_truncate = off")
        try:
            with pytest.raises(DatabaseError, match="cannot be truncated"), transaction.atomic():
                cursor.execute("TRUNCATE audit_auditevent CASCADE")
        finally:
            cursor.execute("SET xiachen.allow_truncate = on")
