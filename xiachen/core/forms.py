"""How every form renders, and native pickers for dates and times."""

from django import forms
from django.forms.renderers import TemplatesSetting


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
