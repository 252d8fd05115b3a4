"""ID numbers and phones are encrypted at rest: a raw dump of every table holds none of them."""

import re

from django.apps import apps
from django.db import connection

from xiachen.cadres.models import Cadre
from xiachen.core import crypto
from xiachen.households.models import Resident
from xiachen.households.selectors import residents_visible_to

# Bounded by non-alphanumerics: hex digests and UUIDs hold long digit runs by chance.
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])")
PHONE_PATTERN = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def _raw_dump() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_raw_dump_contains_no_id_number_and_no_phone(cadre1, resident1):
    dump = _raw_dump()
    assert resident1.id_number not in dump
    assert cadre1.phone not in dump
    assert ID_PATTERN.findall(dump) == []
    assert PHONE_PATTERN.findall(dump) == []


def test_blind_index_finds_a_resident_by_exact_id_number(resident1, people):
    index = crypto.blind_index(resident1.id_number.lower(), purpose="id_number")
    assert list(Resident.objects.filter(id_number_index=index)) == [resident1]


def test_values_round_trip(cadre1):
    assert Cadre.objects.get(pk=cadre1.pk).phone == cadre1.phone


def test_resident_selector_scopes_to_the_community(people, resident1):
    assert list(residents_visible_to(people.manager1)) == [resident1]
    assert list(residents_visible_to(people.manager2)) == []


def test_rotate_command_reencrypts_with_the_new_key(settings, cadre1, resident1):
    import base64

    from django.core.management import call_command

    old_key = settings.XIACHEN_FIELD_KEYS
    settings.XIACHEN_FIELD_KEYS = f"{base64.b64encode(b'r' * 32).decode()},{old_key}"
    call_command("rotate_field_keys", stdout=None)
    settings.XIACHEN_FIELD_KEYS = settings.XIACHEN_FIELD_KEYS.split(",")[0]  # the old key is gone
    assert Cadre.objects.get(pk=cadre1.pk).phone == cadre1.phone
    assert Resident.objects.get(pk=resident1.pk).id_number == resident1.id_number
