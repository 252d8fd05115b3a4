"""Free text typed during a call may contain a phone or ID number: mask such runs when shown."""

import re

from django import template

from xiachen.core.masking import mask_id_number, mask_phone
from xiachen.hotline.rates import percent as format_percent

register = template.Library()

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


@register.filter
def redact(value) -> str:
    text = ID_NUMBER.sub(lambda match: mask_id_number(match.group()), str(value or ""))
    return MOBILE.sub(lambda match: mask_phone(match.group()), text)


@register.filter
def percent(value) -> str:
    return format_percent(value)
