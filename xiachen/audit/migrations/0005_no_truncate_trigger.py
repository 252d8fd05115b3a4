"""On PostgreSQL the database refuses TRUNCATE of the audit table too (UPDATE and DELETE: 0002).

A row trigger never fires for TRUNCATE; this statement trigger does. The test suite's flush
empties tables with TRUNCATE, so a session that sets `xiachen.allow_truncate = on` (only the test
settings do, as a connection option) is let through. The real barrier against the application's
own role is the database roles in docs/deploy.md (not the owner, no TRUNCATE); the trigger and the
signed anchors make an attempt fail loudly or show.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('xiachen.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events cannot be truncated';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_no_truncate();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_keyed_digests_and_problem")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
