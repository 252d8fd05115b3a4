"""Person names are stored and searched one way (issue 17 item 5): forms store them through
`clean_person_name`, searches normalize the query the same way, the data migration cleans names
stored before, and the import preview says what will be stored for a name and why."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiachen.accounts.forms import AccountEditForm
from xiachen.cadres.models import Cadre
from xiachen.cadres.selectors import search_cadres
from xiachen.core.text import clean_stored_text

from ..excel_helpers import cadre_sheet, cadre_values, xlsx


def test_name_fields_of_forms_store_the_clean_name():
    form = AccountEditForm(data={"display_name": "\ufeff周\u3000七", "email": ""})
    assert form.is_valid()
    assert form.cleaned_data["display_name"] == "周七"


def test_names_stored_before_are_cleaned_and_found_by_any_spelling(people, cadre1):
    Cadre.objects.filter(pk=cadre1.pk).update(name="周 七", position="科员\u200b")  # as stored before the fix
    assert not search_cadres(people.org_department, query="周七").filter(pk=cadre1.pk).exists()
    assert clean_stored_text(Cadre, names=("name",), lines=("position",)) >= 1  # what the migration runs
    cadre1.refresh_from_db()
    assert (cadre1.name, cadre1.position) == ("周七", "科员")
    for query in ("周七", "周　七", "周 七"):
        assert search_cadres(people.org_department, query=query).filter(pk=cadre1.pk).exists()


def test_preview_page_says_how_a_name_will_be_stored(client, people):
    client.force_login(people.org_department)
    data = xlsx(cadre_sheet(cadre_values(1, 姓名="周\u3000七")))
    page = client.post(reverse("cadres:import"), {"file": SimpleUploadedFile("a.xlsx", data)}).content.decode()
    assert 'id="import-changed"' in page
    changed = page.split('id="import-changed"', 1)[1].split("</table>", 1)[0]
    assert "周七" in changed and "去掉了姓名中的空格" in changed
