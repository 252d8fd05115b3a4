"""How every form renders, and native pickers for dates and times."""

from django import forms
from django.forms.renderers import TemplatesSetting

from .text import clean_person_name, clean_text


class FormRenderer(TemplatesSetting):
    """Forms and fields render through templates/components/form.html and field.html: errors once,
    each under its own field (settings.FORM_RENDERER)."""

    form_template_name = "components/form.html"
    field_template_name = "components/field.html"


class DateInput(forms.DateInput):
    """The browser's date picker; the value in ISO form, as `type="date"` requires."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format or "%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format or "%H:%M")


class DateTimeInput(forms.DateTimeInput):
    """`datetime-local` sends 2026-12-07T09:30, which DateTimeField parses (ISO 8601)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format or "%Y-%m-%dT%H:%M")


def use_native_pickers() -> None:
    """Make the browser's pickers the default widget of every date, time and date-time field, form
    fields and model fields alike, so no form shows a bare text box for a date (called once from
    CoreConfig.ready; a field given its own widget keeps it)."""
    forms.DateField.widget = DateInput
    forms.TimeField.widget = TimeInput
    forms.DateTimeField.widget = DateTimeInput


class PersonNameField(forms.CharField):
    """A person's name, stored as imports store it (`text.clean_person_name`: 周　七 → 周七)."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_person_name(value)[0] if value else value


def use_clean_text() -> None:
    """Make every form CharField (and its subclasses: email, slug, …) store text through the shared
    normalizer `text.clean_text`, as imports do: no BOM or zero-width characters, one ASCII space for
    any run of spaces (ideographic ones included). One-line inputs also turn line breaks into a space;
    a Textarea keeps its lines. Passwords are left exactly as typed (called once from CoreConfig.ready).
    """
    original = forms.CharField.to_python
    if getattr(original, "cleans_text", False):
        return

    def to_python(self, value):
        value = original(self, value)
        if not isinstance(value, str) or not value or isinstance(self.widget, forms.PasswordInput):
            return value
        return clean_text(value, multiline=isinstance(self.widget, forms.Textarea))

    to_python.cleans_text = True  # type: ignore[attr-defined]  # marks the patch: a second call does nothing
    forms.CharField.to_python = to_python  # type: ignore[method-assign]  # the deliberate patch (see docstring)
