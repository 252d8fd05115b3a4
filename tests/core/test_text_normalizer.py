"""The one text normalizer (xiachen.core.text) as form fields and import cells use it."""

import pytest
from django import forms

from xiachen.core import excel_cells as cells
from xiachen.core.excel_cells import Normalized
from xiachen.core.text import clean_person_name, clean_text, closest, fold_key


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("\ufeff张三", "张三"), ("张\u200b三", "张三"), ("江岸区\n沿江大道", "江岸区 沿江大道"),
     ("a\u3000\u00a0 b", "a b"), (" \u2060x\u200d ", "x"), ("a\r\nb", "a b")],
)
def test_clean_text_removes_invisibles_and_folds_spaces(raw, clean):
    assert clean_text(raw) == clean


def test_clean_text_multiline_keeps_lines():
    assert clean_text("第一行\u3000 \r\n\ufeff第二行 ", multiline=True) == "第一行\n第二行"


@pytest.mark.parametrize(
    ("raw", "name"),
    [("周\u3000七", "周七"), ("周 七", "周七"), ("王\n五", "王五"), ("阿依古丽•买买提", "阿依古丽·买买提"),
     ("Mary  Ann", "Mary Ann"), ("\ufeff吴\u200b八", "吴八")],
)
def test_person_names_are_stored_as_people_search_for_them(raw, name):
    assert clean_person_name(raw)[0] == name


def test_person_name_parser_explains_what_changed():
    assert cells.person_name(60)("周\u3000七") == Normalized("周七", "去掉了姓名中的空格")
    assert cells.person_name(60)("周七") == "周七"


def test_identifier_cells_drop_a_leading_apostrophe():
    from datetime import date

    from xiachen.core.idnumbers import make_id_number

    number = make_id_number("420102", date(1990, 1, 1), 3)
    assert cells.id_number("'" + number).number == number
    assert cells.mobile("'13700000001") == "13700000001"
    assert cells.code(32)("'A-AUDIT") == "A-AUDIT"


def test_fold_key_and_closest():
    assert fold_key("综合科(办公室)") == fold_key("综合科（办公室）") == fold_key("综合科 【办公室】")
    assert closest("审计科", ["财政审计科", "办公室"]) == "财政审计科"
    assert closest("人事科", ["财政审计科", "办公室"]) is None


class SampleForm(forms.Form):
    name = forms.CharField()
    notes = forms.CharField(widget=forms.Textarea)
    password = forms.CharField(widget=forms.PasswordInput)


def test_form_fields_use_the_same_normalizer():
    form = SampleForm({"name": "\ufeff周\u3000七\u200b", "notes": "一\u3000 行\r\n二", "password": "a\u200bb"})
    assert form.is_valid()
    assert form.cleaned_data == {"name": "周 七", "notes": "一 行\n二", "password": "a\u200bb"}
