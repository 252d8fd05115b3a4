"""Model fields for personal data: encrypted at rest, looked up through a blind index."""

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from . import crypto


class Ciphertext:
    """A stored token, as loaded from or about to be written to the database. Opaque on purpose: a
    `values()` query on an encrypted column yields these, not text (load instances to read values)."""

    __slots__ = ("token",)

    def __init__(self, token: str):
        self.token = token

    def __repr__(self) -> str:
        return "<Ciphertext>"


class _SealedAttribute(DeferredAttribute):
    """Decrypts on first access, with the associated data of the instance it belongs to, and keeps
    the plaintext. A data descriptor, so every read passes through here."""

    field: "EncryptedTextField"

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Ciphertext):
            value = crypto.decrypt(value.token, associated_data=self.field.associated_data(instance))
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Holds plaintext in Python and AES-GCM ciphertext in the database (ADR 0003, 1508).

    Each value is bound to its table, column and row: the associated data names the row by
    `row_key` (default the `public_id` UUID), which is set when the instance is created, before the
    row is inserted and its integer key is known, and never changes. Values are sealed in `pre_save`
    (save, create, bulk_create); `update()`, `bulk_update()` and raw (fixture) saves cannot know the
    row and are refused, as is filtering (use the blind index). Empty strings and NULL are stored as is.
    """

    descriptor_class = _SealedAttribute

    def __init__(self, *args, row_key: str = "public_id", **kwargs):
        self.row_key = row_key
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.row_key != "public_id":
            kwargs["row_key"] = self.row_key
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        try:
            self.model._meta.get_field(self.row_key)
        except FieldDoesNotExist:
            errors.append(checks.Error(
                f"row_key {self.row_key!r} is not a field of {self.model._meta.label}", obj=self,
                id="xiachen.E001",
            ))
        return errors

    def row_identifier(self, instance) -> str:
        row_field = self.model._meta.get_field(self.row_key)
        assert isinstance(row_field, models.Field), "row_key names a column of the model (see check())"
        value = getattr(instance, row_field.attname)
        return "" if value in (None, "") else str(row_field.to_python(value))

    def associated_data(self, instance) -> bytes:
        return crypto.field_context(self.model._meta.db_table, self.column, self.row_identifier(instance))

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return Ciphertext(value)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value in (None, ""):
            return value
        return Ciphertext(crypto.encrypt(value, associated_data=self.associated_data(model_instance)))

    def get_prep_value(self, value):
        if isinstance(value, Ciphertext):
            return value.token
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        raise TypeError(
            f"{self.model._meta.label}.{self.name} is encrypted per row: set it on an instance and save() "
            "(not update(), bulk_update(), a filter or a raw save); look rows up through the blind index"
        )


class BlindIndexField(models.CharField):
    """HMAC of another field's plaintext, kept in step on every save and bulk insert."""

    def __init__(self, *args, source: str = "", purpose: str = "", **kwargs):
        self.source, self.purpose = source, purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        plaintext = getattr(model_instance, self.source)
        value = crypto.blind_index(plaintext, purpose=self.purpose) if plaintext else ""
        setattr(model_instance, self.attname, value)
        return value
