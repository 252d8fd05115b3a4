import contextlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xiachen.core.idnumbers import InvalidIdentity, make_id_number, parse_id_number, parse_mobile
from xiachen.core.masking import mask_id_number, mask_phone


def test_the_standard_example_is_valid():
    facts = parse_id_number("11010519491231002X")
    assert facts.birth_date == date(1949, 12, 31)
    assert facts.is_male is False
    assert facts.region_code == "110105"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("110105194912310021", "校验位错误：最后一位应为 X"),
        ("110105491231002", "15位旧身份证号"),
        ("1.10105E+17", "科学计数法"),
        (1.10105194912310e17, "存成了数字"),
        ("110105194902300027", "出生日期 19490230 不存在"),
        ("000105194912310021", "行政区划代码 000105 无效"),
        ("11010519491231002", "应为18位"),
        ("", "身份证号为空"),
    ],
)
def test_invalid_numbers_say_why_in_chinese(raw, message):
    with pytest.raises(InvalidIdentity, match=message):
        parse_id_number(raw)


def test_lowercase_x_full_width_digits_and_spaces_are_normalized():
    assert parse_id_number(" 11010519491231002x ").number == "11010519491231002X"
    assert parse_id_number("１１０１０５１９４９１２３１００２Ｘ").number == "11010519491231002X"
    assert parse_id_number("110105 1949 1231 002X").number == "11010519491231002X"


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1920, 1, 1), max_value=date(2020, 12, 31)), st.integers(0, 999))
def test_generated_numbers_validate_and_round_trip(birth, sequence):
    number = make_id_number("420102", birth, sequence)
    facts = parse_id_number(number)
    assert facts.birth_date == birth
    assert facts.is_male == (sequence % 2 == 1)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=25))
def test_parser_never_crashes_on_garbage(text):
    with contextlib.suppress(InvalidIdentity):
        parse_id_number(text)


def test_masks():
    assert mask_id_number("11010519491231002X") == "1101**************"
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("raw", ["138 1234 5678", "+8613812345678", "１３８１２３４５６７８", 13812345678.0])
def test_mobile_numbers_are_normalized(raw):
    assert parse_mobile(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "abc"])
def test_bad_mobile_numbers_are_refused(raw):
    with pytest.raises(InvalidIdentity, match="手机号应为以1开头的11位数字"):
        parse_mobile(raw)
