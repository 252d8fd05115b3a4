"""Display labels for stored codes, so no internal code reaches a page.

`{{ value|label:"errands.ErrandStatus" }}` shows the label of `value` in the choices (a TextChoices
class or a {code: label} dict) named `<app>.<Name>` in `xiachen.<app>.enums`;
`{{ values|labels:"passes.EXEMPT_GROUPS" }}` does the same for a list, joined by "、".
An unknown code is shown as "—" rather than leaked (an empty value too).
"""

from functools import cache

from django import template
from django.utils.module_loading import import_string

register = template.Library()


@cache
def _labels(path: str) -> dict:
    app, name = path.split(".")
    choices = import_string(f"xiachen.{app}.enums.{name}")
    if isinstance(choices, dict):
        return dict(choices)
    return dict(choices.choices)


@register.filter
def label(value, path: str) -> str:
    if value in (None, ""):
        return "—"
    return str(_labels(path).get(str(value), "—"))


@register.filter
def labels(values, path: str) -> str:
    shown = [label(value, path) for value in (values or [])]
    return "、".join(shown) if shown else "—"


@register.filter
def lookup(mapping, key) -> str:
    """`{{ labels|lookup:code }}`: the label a view passed in a {code: label} dict ("—" if absent)."""
    return str((mapping or {}).get(key, "—"))
