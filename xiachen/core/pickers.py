"""Searchable pickers: one htmx autocomplete for every choice among many households, residents,
cadres, units or passes.

An app registers a `Picker` in its own `pickers.py` (discovered at start-up). The picker's
`choices(user, params)` is the one scoped queryset of what may be picked: the search endpoint
(`core:pick`) searches it and the form field validates against it, so the list cannot offer
anything the form would refuse, nor anything outside the user's scope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RESULT_LIMIT = 20


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    detail: str


@dataclass(frozen=True)
class Picker:
    """What can be picked and how it is found and shown.

    - `permission`: checked (unscoped) before searching; the queryset does the scoping.
    - `choices(user, params)`: every valid choice for this user (params: e.g. the round).
    - `search(queryset, text)`: narrow the choices by what was typed.
    - `describe(objects)`: one `Option` per object, in order (label: who/what; detail: the full
      address, or agency and department — what tells two people of the same name apart).
    """

    name: str
    permission: str
    choices: Callable[[object, Mapping[str, str]], QuerySet]
    search: Callable[[QuerySet, str], QuerySet]
    describe: Callable[[list[Model]], list[Option]]
    placeholder: str | Promise = ""  # usually gettext_lazy(...)


REGISTRY: dict[str, Picker] = {}


def register(picker: Picker) -> Picker:
    REGISTRY[picker.name] = picker
    return picker


def get_picker(name: str) -> Picker:
    return REGISTRY[name]


def find(picker: Picker, *, user, params: Mapping[str, str], text: str) -> list[Option]:
    """At most RESULT_LIMIT options matching `text` among the user's valid choices."""
    queryset = picker.choices(user, params)
    if text.strip():
        queryset = picker.search(queryset, text.strip())
    return picker.describe(list(queryset[:RESULT_LIMIT]))


class PickerWidget(forms.Widget):
    """A search box with a results list (htmx) and hidden input(s) holding the picked public ids.

    Used through `PickerField` / `MultiplePickerField`, which give it the field's queryset so an
    already picked value is shown by its label again after a failed submit.
    """

    template_name = "components/picker.html"

    def __init__(self, picker: str, *, params: Mapping[str, str] | None = None, multiple: bool = False,
                 attrs=None):
        super().__init__(attrs)
        self.picker, self.params, self.multiple = picker, dict(params or {}), multiple
        self.queryset = None

    def value_from_datadict(self, data, files, name):
        if self.multiple:
            return data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def _chosen(self, value) -> list[Option]:
        values = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v not in (None, "")]
        if not values or self.queryset is None:
            return []
        picker = get_picker(self.picker)
        try:
            objects = list(self.queryset.filter(public_id__in=values))
        except ValidationError:  # a malformed id in the POST: shown as nothing picked
            return []
        return picker.describe(objects)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        picker = get_picker(self.picker)
        chosen = self._chosen(value)
        query = urlencode(self.params)
        context["widget"].update({
            "url": reverse("core:pick", args=[self.picker]) + (f"?{query}" if query else ""),
            "multiple": self.multiple,
            "chosen": chosen,
            "placeholder": picker.placeholder or _("输入关键字搜索"),
        })
        return context


class PickerField(forms.ModelChoiceField):
    """Choose one object through a registered picker; valid choices are the picker's queryset."""

    def __init__(self, picker: str, *, params: Mapping[str, str] | None = None, **kwargs):
        kwargs.setdefault("to_field_name", "public_id")
        super().__init__(queryset=None, widget=PickerWidget(picker, params=params), **kwargs)

    def bind(self, *, user, params: Mapping[str, str] | None = None) -> None:
        """Give the field its valid choices for this user (call from the form's __init__)."""
        if params is not None:
            self.widget.params = dict(params)
        self.queryset = get_picker(self.widget.picker).choices(user, self.widget.params)
        self.widget.queryset = self.queryset


class MultiplePickerField(forms.ModelMultipleChoiceField):
    """Choose several objects through a registered picker (each pick adds a removable chip)."""

    def __init__(self, picker: str, *, params: Mapping[str, str] | None = None, **kwargs):
        kwargs.setdefault("to_field_name", "public_id")
        super().__init__(queryset=None, widget=PickerWidget(picker, params=params, multiple=True), **kwargs)

    def bind(self, *, user, params: Mapping[str, str] | None = None) -> None:
        if params is not None:
            self.widget.params = dict(params)
        self.queryset = get_picker(self.widget.picker).choices(user, self.widget.params)
        self.widget.queryset = self.queryset


def bind_pickers(form: forms.BaseForm, *, user, params: Mapping[str, str] | None = None) -> None:
    """Bind every picker field of `form` to the user's valid choices."""
    for field in form.fields.values():
        if isinstance(field, (PickerField, MultiplePickerField)):
            field.bind(user=user, params=params)


def unit_trails(units: Iterable) -> dict[int, str]:
    """Each unit's full name from its district down ("江岸区 · 车站街道 · 车站路社区 · 车站路小区"),
    in one query for all the ancestors (the city itself is left out: it is the same for everyone)."""
    from xiachen.org.models import Unit

    units = list(units)
    codes = {code for unit in units for code in unit.path.strip("/").split("/")}
    names = dict(Unit.objects.filter(code__in=codes).values_list("path", "name"))
    trails = {}
    for unit in units:
        parts = unit.path.strip("/").split("/")
        prefixes = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
        trail = [names.get(prefix, "") for prefix in prefixes[1:]] if len(prefixes) > 1 else [unit.name]
        trails[unit.pk] = " · ".join(name for name in trail if name)
    return trails


def search_units(units: QuerySet, text: str) -> QuerySet:
    """Units whose name, parent's name or code matches what was typed."""
    return units.filter(Q(name__icontains=text) | Q(parent__name__icontains=text) | Q(code__startswith=text))


def describe_units(units: list) -> list[Option]:
    """A unit by name and kind, with its full place in the city (two 新华社区 in different districts differ)."""
    trails = unit_trails(units)
    return [Option(value=str(unit.public_id), label=f"{unit.name}（{unit.kind.label}）", detail=trails[unit.pk])
            for unit in units]
