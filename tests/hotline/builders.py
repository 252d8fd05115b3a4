"""Builders of hotline data for the tests and the permission matrix."""

from datetime import datetime

from django.utils import timezone

from xiachen.hotline.models import Category
from xiachen.hotline.services import create_ticket
from xiachen.hotline.vocabulary import load_defaults

PHONE = "13912345678"


def at(*parts: int) -> datetime:
    """An aware datetime in Asia/Shanghai: at(2026, 3, 2, 9, 0)."""
    return timezone.make_aware(datetime(*parts))


def category(code: str) -> Category:
    load_defaults()  # a transactional (browser) test's flush empties the migration's rows
    return Category.objects.get(code=code)


def make_ticket(people, place, *, code: str = "general", phone: str = PHONE, now=None, **kwargs):
    return create_ticket(
        by=people.hotline, caller_name="王小明", caller_phone=phone, place=place, category=category(code),
        description=kwargs.pop("description", "楼道灯坏了"), now=now, **kwargs,
    )
