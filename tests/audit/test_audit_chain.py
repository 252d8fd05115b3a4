import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from xiachen.audit.models import AppendOnlyError, AuditEvent
from xiachen.audit.services import record, verify_chain


def _three_events(actor):
    return [record(actor=actor, action=f"test.event{i}", fields={"n": i}) for i in range(3)]


def test_events_chain_and_verify(people):
    events = _three_events(people.manager1)
    assert events[1].previous_digest == events[0].digest
    assert events[2].previous_digest == events[1].digest
    report = verify_chain()
    assert report.intact
    assert report.checked == AuditEvent.objects.count()


def test_application_cannot_update_or_delete_events(people):
    event = _three_events(people.manager1)[0]
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def _tamper(event_id: int, action: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", [action, event_id])


def test_a_tampered_row_breaks_the_chain_at_that_row(people):
    events = _three_events(people.manager1)
    _forge(events[1].pk, "test.forged")
    report = verify_chain()
    assert report.first_broken_id == events[1].pk
    with pytest.raises(CommandError, match=f"第 {events[1].pk} 号事件"):
        call_command("verify_audit_chain")


def _forge(event_id: int, action: str) -> None:
    """Change a row behind the application's back (on PostgreSQL the trigger must be lifted first)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_no_update_delete")
        cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", [action, event_id])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_no_update_delete")


def test_database_refuses_raw_update(people):
    """PostgreSQL: a trigger. SQLite: no trigger (the test flush must empty the table), so this
    documents that only the hash chain protects a SQLite file edited by hand."""
    event = _three_events(people.manager1)[0]
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _tamper(event.pk, "test.forged")
    else:
        _tamper(event.pk, "test.forged")
        assert verify_chain().first_broken_id == event.pk


def test_verify_command_reports_intact_chain(people, capsys):
    _three_events(people.manager1)
    call_command("verify_audit_chain")
    assert "audit chain intact" in capsys.readouterr().out
