"""Resident identity numbers (GB 11643-1999) and mobile numbers: normalization and validation.

Validation messages are Chinese-first and say what is wrong, so an import can name the cell.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

# Shown as samples in import templates. The ID number is the worked example printed in GB 11643 and in
# the national ID format's public documentation, the mobile number the operator's well-known service
# number: neither identifies a resident, so templates may carry them in full.
EXAMPLE_ID_NUMBER = "11010519491231002X"
EXAMPLE_MOBILE = "13800000000"

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
# Province-level prefixes of GB/T 2260 (incl. Taiwan, Hong Kong, Macao as issued on mainland IDs).
PROVINCE_CODES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)
FULL_WIDTH = str.maketrans("０１２３４５６７８９ＸｘＸ", "0123456789XxX")
SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")


class InvalidIdentity(ValueError):
    pass


@dataclass(frozen=True)
class IdentityFacts:
    number: str
    birth_date: date
    is_male: bool
    region_code: str


def check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def normalize_text(value: object) -> str:
    """Full-width digits to ASCII, spaces (incl. U+3000 and NBSP) removed."""
    text = "" if value is None else str(value)
    return re.sub(r"[\s\u3000\u00a0]+", "", text.translate(FULL_WIDTH))


def parse_id_number(raw: object) -> IdentityFacts:
    """Normalize and validate an 18-character ID number; raise InvalidIdentity with a Chinese reason."""
    if isinstance(raw, float):
        raise InvalidIdentity(_("身份证号被 Excel 存成了数字（科学计数法），请把该列设为文本后重新录入"))
    number = normalize_text(raw).upper()
    if not number:
        raise InvalidIdentity(_("身份证号为空"))
    if SCIENTIFIC.match(number):
        raise InvalidIdentity(
            _("身份证号被 Excel 转成了科学计数法（%(value)s），请把该列设为文本后重新录入") % {"value": number}
        )
    if len(number) == 15 and number.isdigit():
        raise InvalidIdentity(_("这是15位旧身份证号，请填写18位身份证号"))
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdentity(
            _("身份证号应为18位：17位数字加1位数字或X（实际为%(length)d位）") % {"length": len(number)}
        )
    if number[:2] not in PROVINCE_CODES or number[2:6] == "0000":
        raise InvalidIdentity(_("身份证号的行政区划代码 %(code)s 无效") % {"code": number[:6]})
    birth = _birth_date(number)
    if check_character(number[:17]) != number[17]:
        raise InvalidIdentity(
            _("身份证号校验位错误：最后一位应为 %(expected)s") % {"expected": check_character(number[:17])}
        )
    return IdentityFacts(number=number, birth_date=birth, is_male=int(number[16]) % 2 == 1, region_code=number[:6])


def _birth_date(number: str) -> date:
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentity(_("身份证号中的出生日期 %(value)s 不存在") % {"value": number[6:14]}) from None
    if birth.year < 1900 or birth > date.today():
        raise InvalidIdentity(_("身份证号中的出生日期 %(value)s 不合理") % {"value": number[6:14]})
    return birth


def make_id_number(region_code: str, birth: date, sequence: int) -> str:
    """Build a valid ID number (demo data and tests): sequence 0–999, odd for men."""
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def parse_mobile(raw: object) -> str:
    """Normalize and validate an 11-digit mainland mobile number."""
    if isinstance(raw, float):
        raw = f"{raw:.0f}"
    number = normalize_text(raw).replace("-", "")
    if number.startswith("+86"):
        number = number[3:]
    if not MOBILE.match(number):
        raise InvalidIdentity(_("手机号应为以1开头的11位数字"))
    return number
