"""Model fields for personal data: encrypted at rest, looked up through a blind index."""

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Holds plaintext in Python and AES-GCM ciphertext in the database. Not filterable: use the index."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(value)


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
