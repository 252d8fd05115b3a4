"""One reading of a body temperature sent by a device, for scans and checkpoint registrations.

JSON from a device may carry `NaN`, `Infinity` (Python's json accepts the literals) or the same as
strings; Decimal then refuses ordering comparisons with an exception. A reading is therefore
parsed once here and is either None (not measured), a finite value in range with one decimal, or
a `TemperatureError` that rejects that one scan — never the batch it came in.
"""

from decimal import Decimal, InvalidOperation

RANGE = (Decimal("30"), Decimal("45"))  # °C; outside it the thermometer or the typing is wrong


class TemperatureError(ValueError):
    pass


def parse_temperature(value) -> Decimal | None:
    """`value` as a Decimal with one decimal place, None when empty; TemperatureError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise TemperatureError(value)
    try:
        reading = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise TemperatureError(value) from error
    if not reading.is_finite() or not RANGE[0] <= reading <= RANGE[1]:
        raise TemperatureError(value)
    return reading.quantize(Decimal("0.1"))
