"""Field encryption binds each value to its table, column and row (ADR 1508), names its real key, and
turns every kind of bad stored value into `DecryptionError`."""

import base64
import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction

from tests.factories import HouseholdFactory, ResidentFactory
from xiachen.core import crypto
from xiachen.core.fields import Ciphertext, EncryptedTextField
from xiachen.core.management.commands.rotate_field_keys import encrypted_fields
from xiachen.core.reseal import reseal, reseal_app_fields
from xiachen.households.models import Resident

HERE = crypto.field_context("t", "c", "row-1")
NEW_KEY = base64.b64encode(b"n" * 32).decode()


def _raw(model, pk, column):
    with connection.cursor() as cursor:
        table, quote = model._meta.db_table, connection.ops.quote_name
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _write_raw(model, pk, **columns):
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE id = %s",  # noqa: S608
            [*columns.values(), pk],
        )


def _bytes(token: str) -> bytes:
    return base64.b64decode(token)


def _token(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


# --- the primitive -------------------------------------------------------------------------------


def test_round_trip_differs_every_time_and_names_the_real_key():
    first, second = crypto.encrypt("13900000000", associated_data=HERE), crypto.encrypt("13900000000",
                                                                                          associated_data=HERE)
    assert first != second
    assert crypto.decrypt(first, associated_data=HERE) == "13900000000"
    raw = _bytes(first)
    assert raw[0] == crypto.VERSION
    assert raw[1:5] == crypto.key_id(crypto.field_keys()[0]) != b"\x00\x00\x00\x00"


def test_a_new_first_key_writes_its_own_id_and_old_values_still_open(settings):
    old = crypto.encrypt("13900000000", associated_data=HERE)
    settings.XIACHEN_FIELD_KEYS = f"{NEW_KEY},{settings.XIACHEN_FIELD_KEYS}"
    new = crypto.encrypt("13900000001", associated_data=HERE)
    assert _bytes(new)[1:5] == crypto.key_id(b"n" * 32) != _bytes(old)[1:5]
    assert crypto.decrypt(old, associated_data=HERE) == "13900000000"
    assert crypto.decrypt(new, associated_data=HERE) == "13900000001"


def _tampered_tag(token):
    raw = bytearray(_bytes(token))
    raw[-1] ^= 1
    return _token(bytes(raw))


def _tampered_body(token):
    raw = bytearray(_bytes(token))
    raw[crypto._HEADER] ^= 1
    return _token(bytes(raw))


BAD_TOKENS = {
    "truncated below the header": lambda token: _token(_bytes(token)[:10]),
    "truncated tag": lambda token: _token(_bytes(token)[:-3]),
    "empty after decoding": lambda token: "",
    "not base64": lambda token: "!!not*base64!!",
    "base64 with junk": lambda token: token[:-4] + "%%%%",
    "non-ASCII text": lambda token: "手机号" + token,
    "not text": lambda token: 12345,
    "unknown version": lambda token: _token(b"\x09" + _bytes(token)[1:]),
    "unknown key id": lambda token: _token(_bytes(token)[:1] + b"\xde\xad\xbe\xef" + _bytes(token)[5:]),
    "tampered tag": _tampered_tag,
    "tampered ciphertext": _tampered_body,
}


@pytest.mark.parametrize("damage", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_every_damaged_token_raises_decryption_error(damage):
    token = crypto.encrypt("110101199003074518", associated_data=HERE)
    with pytest.raises(crypto.DecryptionError) as raised:
        crypto.decrypt(damage(token), associated_data=HERE)
    assert "110101199003074518" not in str(raised.value)


@pytest.mark.parametrize("elsewhere", [
    crypto.field_context("t", "c", "row-2"),  # another row
    crypto.field_context("t", "other", "row-1"),  # another column
    crypto.field_context("other", "c", "row-1"),  # another table
])
def test_a_value_moved_elsewhere_does_not_open(elsewhere):
    token = crypto.encrypt("13900000000", associated_data=HERE)
    with pytest.raises(crypto.DecryptionError, match="another row or column"):
        crypto.decrypt(token, associated_data=elsewhere)


def test_a_value_from_a_key_no_longer_configured_says_so(settings):
    token = crypto.encrypt("13900000000", associated_data=HERE)
    settings.XIACHEN_FIELD_KEYS = NEW_KEY
    with pytest.raises(crypto.DecryptionError, match="no configured key has id"):
        crypto.decrypt(token, associated_data=HERE)


def test_legacy_unbound_tokens_are_refused_except_when_resealing():
    legacy = crypto.encrypt_legacy("13900000000")
    with pytest.raises(crypto.DecryptionError, match="version"):
        crypto.decrypt(legacy, associated_data=HERE)
    assert crypto.open_any(legacy, associated_data=HERE) == ("13900000000", False)
    current = crypto.encrypt("13900000000", associated_data=HERE)
    assert crypto.open_any(current, associated_data=HERE) == ("13900000000", True)


def test_bad_key_configuration_is_refused(settings):
    for raw in ("", "not-base64!", base64.b64encode(b"short").decode(), f"{NEW_KEY},{NEW_KEY}"):
        settings.XIACHEN_FIELD_KEYS = raw
        with pytest.raises(ValueError, match="XIACHEN_FIELD_KEYS"):
            crypto.encrypt("x", associated_data=HERE)


# --- the model field -----------------------------------------------------------------------------


@pytest.fixture
def household(tree):
    return HouseholdFactory(compound=tree.compound1)


def _resident(household, **fields):
    return ResidentFactory(household=household, **fields)


def test_values_swapped_between_rows_fail_to_load(household):
    alice, bob = _resident(household), _resident(household)
    alice_phone = _raw(Resident, alice.pk, "phone")
    _write_raw(Resident, bob.pk, phone=alice_phone)  # an attacker with write access to the table
    bob = Resident.objects.get(pk=bob.pk)
    with pytest.raises(crypto.DecryptionError):
        bob.phone  # noqa: B018
    assert Resident.objects.get(pk=alice.pk).phone == alice.phone


def test_values_swapped_between_columns_fail_to_load(household):
    resident = _resident(household)
    _write_raw(Resident, resident.pk, phone=_raw(Resident, resident.pk, "id_number"))
    with pytest.raises(crypto.DecryptionError):
        Resident.objects.get(pk=resident.pk).phone  # noqa: B018


def test_bulk_created_rows_are_bound_to_their_own_public_id(household):
    rows = Resident.objects.bulk_create([
        ResidentFactory.build(household=household, phone=f"1390000000{n}") for n in range(3)
    ])
    for row in rows:
        assert Resident.objects.get(public_id=row.public_id).phone == row.phone
        token = _raw(Resident, Resident.objects.get(public_id=row.public_id).pk, "phone")
        context = crypto.field_context("households_resident", "phone", str(row.public_id))
        assert crypto.decrypt(token, associated_data=context) == row.phone


def test_deferred_loading_and_refresh_still_decrypt(household):
    resident = _resident(household)
    only_phone = Resident.objects.only("pk", "phone").get(pk=resident.pk)  # public_id loaded on demand
    assert only_phone.phone == resident.phone
    without_phone = Resident.objects.defer("phone").get(pk=resident.pk)
    assert without_phone.phone == resident.phone
    resident.refresh_from_db()
    assert resident.id_number == Resident.objects.get(pk=resident.pk).id_number


def test_writes_that_cannot_name_the_row_are_refused(household):
    resident = _resident(household)
    with pytest.raises(TypeError, match="encrypted per row"), transaction.atomic():
        Resident.objects.filter(pk=resident.pk).update(phone="13900000000")
    with pytest.raises(TypeError, match="encrypted per row"), transaction.atomic():
        Resident.objects.filter(phone=resident.phone).exists()
    resident.phone = "13900000009"
    with pytest.raises(TypeError, match="encrypted per row"), transaction.atomic():
        Resident.objects.bulk_update([resident], ["phone"])
    assert Resident.objects.filter(pk=resident.pk).update(phone="") == 1  # blanking (purges) is fine
    assert list(Resident.objects.filter(pk=resident.pk).values_list("phone", flat=True)) == [""]
    assert isinstance(Resident.objects.values_list("id_number", flat=True).get(pk=resident.pk), Ciphertext)


def test_every_encrypted_field_names_an_existing_row_key():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                assert field.check() == []
                row_field = model._meta.get_field(field.row_key)
                assert row_field.unique and row_field.has_default(), f"{model._meta.label}.{field.name}"


# --- re-sealing: migrations and the rotation command ---------------------------------------------

MIGRATIONS = {
    "core": "xiachen.core.migrations.0004_bound_field_encryption",
    "cadres": "xiachen.cadres.migrations.0004_bound_field_encryption",
    "households": "xiachen.households.migrations.0004_bound_field_encryption",
    "hotline": "xiachen.hotline.migrations.0005_bound_field_encryption",
    "passes": "xiachen.passes.migrations.0007_bound_field_encryption",
}
# Tables created after row binding existed never held an unbound value: nothing to re-seal.
BORN_BOUND = {("downloads", "downloadjob", "content"), ("downloads", "downloadjob", "params"),
              ("core", "pendingimport", "summary"), ("interop", "webhookendpoint", "secret"),
              ("volunteers", "agencymemberlistentry", "id_number"), ("volunteers", "agencymemberlistentry", "phone")}


def test_the_data_migrations_cover_every_encrypted_field():
    covered = set()
    for app_label, module in MIGRATIONS.items():
        for model_name, fields in importlib.import_module(module).FIELDS.items():
            covered |= {(app_label, model_name.lower(), name) for name in fields}
    expected = {
        (model._meta.app_label, model._meta.model_name, name)
        for (model, _row_key), names in encrypted_fields().items() for name in names
    }
    assert covered | BORN_BOUND == expected


def _legacy_resident(household):
    resident = _resident(household)
    _write_raw(Resident, resident.pk, phone=crypto.encrypt_legacy(resident.phone),
               id_number=crypto.encrypt_legacy(resident.id_number))
    return resident


def test_the_migration_reseals_legacy_rows_and_its_reverse_undoes_it(household):
    resident, empty = _legacy_resident(household), _resident(household, phone="")
    with pytest.raises(crypto.DecryptionError):
        Resident.objects.get(pk=resident.pk).phone  # noqa: B018
    fields = importlib.import_module(MIGRATIONS["households"]).FIELDS
    schema_editor = type("Editor", (), {"connection": connection})()

    reseal_app_fields("households", fields)(apps, schema_editor)
    loaded = Resident.objects.get(pk=resident.pk)
    assert (loaded.phone, loaded.id_number) == (resident.phone, resident.id_number)
    assert _bytes(_raw(Resident, resident.pk, "phone"))[0] == crypto.VERSION
    assert Resident.objects.get(pk=empty.pk).phone == ""

    reseal_app_fields("households", fields, legacy=True)(apps, schema_editor)
    assert _bytes(_raw(Resident, resident.pk, "phone"))[0] == crypto.LEGACY_VERSION
    assert crypto.open_any(_raw(Resident, resident.pk, "phone"), associated_data=b"")[0] == resident.phone


def test_resealing_skips_current_rows_and_works_in_batches(household):
    residents = [_legacy_resident(household) for _ in range(3)]
    current = _resident(household)
    before = _raw(Resident, current.pk, "phone")
    assert reseal(connection, Resident, ["phone", "id_number"], batch=2) == 3
    assert _raw(Resident, current.pk, "phone") == before
    assert reseal(connection, Resident, ["phone", "id_number"], batch=2) == 0
    assert [Resident.objects.get(pk=r.pk).phone for r in residents] == [r.phone for r in residents]


def test_resealing_a_value_nothing_opens_names_the_row_and_writes_nothing(household):
    good, bad = _legacy_resident(household), _resident(household)
    _write_raw(Resident, bad.pk, phone="!!garbage!!")
    with pytest.raises(crypto.DecryptionError, match=f"households_resident.phone row {bad.pk}"):
        reseal(connection, Resident, ["phone", "id_number"])
    assert _bytes(_raw(Resident, good.pk, "phone"))[0] == crypto.LEGACY_VERSION


def test_rotation_moves_every_value_to_the_new_key_and_the_old_key_can_go(settings, household):
    legacy, resident = _legacy_resident(household), _resident(household)
    settings.XIACHEN_FIELD_KEYS = f"{NEW_KEY},{settings.XIACHEN_FIELD_KEYS}"
    call_command("rotate_field_keys", stdout=None)
    settings.XIACHEN_FIELD_KEYS = NEW_KEY
    for before in (legacy, resident):
        after = Resident.objects.get(pk=before.pk)
        assert (after.phone, after.id_number) == (before.phone, before.id_number)
        assert _bytes(_raw(Resident, before.pk, "phone"))[1:5] == crypto.key_id(b"n" * 32)
