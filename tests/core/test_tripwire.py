"""The tripwire itself reads what a downloader reads: every sheet of a workbook and the text of a PDF."""

import io

import pytest
from django.http import HttpResponse
from openpyxl import Workbook
from weasyprint import HTML

from tests.tripwire import PersonalDataLeak, PersonalDataTripwireMiddleware, find_personal_data
from xiachen.core.exports import XLSX

ID_NUMBER = "420102198506150253"
PHONE = "13900000011"


def workbook_with_a_hidden_sheet(value: str) -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "公开"
    hidden = workbook.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden["C7"] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def serve(response: HttpResponse, rf):
    return PersonalDataTripwireMiddleware(lambda request: response)(rf.get("/download"))


def test_an_id_number_in_a_hidden_sheet_trips(rf):
    with pytest.raises(PersonalDataLeak, match=ID_NUMBER):
        serve(HttpResponse(workbook_with_a_hidden_sheet(ID_NUMBER), content_type=XLSX), rf)


def test_a_phone_in_a_pdf_trips(rf):
    pdf = HTML(string=f"<p>联系电话 {PHONE}</p>").write_pdf()
    with pytest.raises(PersonalDataLeak, match=PHONE):
        serve(HttpResponse(pdf, content_type="application/pdf"), rf)


def test_masked_values_and_deliberate_reveals_pass(rf):
    masked = HttpResponse(workbook_with_a_hidden_sheet("4201**************"), content_type=XLSX)
    assert serve(masked, rf) is masked
    revealed = HttpResponse(workbook_with_a_hidden_sheet(ID_NUMBER), content_type=XLSX)
    revealed.reveals_personal_data = True
    assert serve(revealed, rf) is revealed


def test_template_samples_are_not_personal_data():
    assert find_personal_data("11010519491231002X 13800000000") == []
    assert find_personal_data(f"{ID_NUMBER} {PHONE}") == [ID_NUMBER, PHONE]
