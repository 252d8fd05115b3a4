"""Every field that holds personal data is in the register (docs/security.md, PIPL)."""

import re

from django.apps import apps

from xiachen.core.fields import EncryptedTextField
from xiachen.core.personal_data import NOT_PERSONAL, REGISTER

PERSONAL_NAME = re.compile(
    r"name|phone|mobile|id_number|address|birth|latitude|longitude|health|sex|email|vulnerab|temperature|"
    r"symptom|room|building|entrance|relation|plate|caller|location"
)


def _xiachen_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("xiachen."):
            continue
        for field in model._meta.get_fields():
            if field.auto_created and not field.concrete:
                continue
            yield model._meta.label, field


def test_every_personal_looking_or_encrypted_field_is_registered():
    missing = [
        f"{label}.{field.name}"
        for label, field in _xiachen_fields()
        if (isinstance(field, EncryptedTextField) or PERSONAL_NAME.search(field.name))
        and field.name not in REGISTER.get(label, {})
        and field.name not in NOT_PERSONAL.get(label, {})
    ]
    assert missing == []


def test_register_names_only_real_fields():
    real = {(label, field.name) for label, field in _xiachen_fields()}
    registered = {(label, name) for label, fields in REGISTER.items() for name in fields}
    registered |= {(label, name) for label, fields in NOT_PERSONAL.items() for name in fields}
    assert registered - real == set()


def test_encrypted_fields_are_sensitive_or_contact_data_with_a_purpose():
    for label, field in _xiachen_fields():
        if isinstance(field, EncryptedTextField):
            if field.name in NOT_PERSONAL.get(label, {}):  # e.g. a signing key: secret, not about a person
                assert NOT_PERSONAL[label][field.name]
                continue
            entry = REGISTER[label][field.name]
            assert entry.purpose
            assert entry.legal_basis
