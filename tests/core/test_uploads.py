"""Uploads (issue 15, item 8): attachments on an allow-list checked by content, photos without
metadata, both served so nothing in them runs on this origin."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from xiachen.core.uploads import SANDBOX_CSP, attachment_response, check_attachment, without_metadata

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
DOCX = b"PK\x03\x04" + b"\x00" * 40


@pytest.mark.parametrize(("name", "content"), [("通知.pdf", PDF), ("附件.docx", DOCX), ("表.XLSX", DOCX)])
def test_office_documents_pass(name, content):
    check_attachment(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", b"<script>alert(1)</script>", "类型不允许"),
        ("logo.svg", b"<svg onload=alert(1)>", "类型不允许"),
        ("run.exe", b"MZ\x90\x00", "类型不允许"),
        ("通知.pdf", b"<html><script>alert(1)</script>", "内容与扩展名不符"),  # renamed HTML
        ("附件.docx", PDF, "内容与扩展名不符"),
    ],
)
def test_other_types_and_renamed_files_are_refused_with_the_name(name, content, message):
    with pytest.raises(ValidationError) as refused:
        check_attachment(SimpleUploadedFile(name, content))
    assert message in str(refused.value) and name in str(refused.value)


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° on display
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (30.0, 35.0, 10.0), 3: "E", 4: (114.0, 17.0, 5.0)})  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photos_lose_gps_and_every_other_metadata_but_keep_their_orientation():
    original = _photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture really has GPS
    cleaned = without_metadata(SimpleUploadedFile("门口.jpg", original))
    image = Image.open(io.BytesIO(cleaned.read()))
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert image.size == (20, 40)  # the rotation was applied to the pixels
    assert cleaned.name == "门口.jpg"


def test_a_file_that_is_not_an_image_is_refused():
    with pytest.raises(ValidationError, match="不是可识别的图片"):
        without_metadata(SimpleUploadedFile("x.jpg", b"not an image"))


def test_attachments_are_downloads_in_a_sandbox(tmp_path, db):
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("a.pdf", ContentFile(PDF))

    class Field:  # the two attributes of a FieldFile the response reads
        def __init__(self):
            self.name = name

        def open(self, mode):
            return storage.open(name, mode)

    response = attachment_response(Field())
    assert response["Content-Security-Policy"] == SANDBOX_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    response.close()


def test_the_notice_form_refuses_a_renamed_page(db):
    from xiachen.notices.forms import NoticeForm

    form = NoticeForm(
        data={"title": "停水通知", "body": "明日停水", "attachment_title": "原件"},
        files={"attachment": SimpleUploadedFile("通知.pdf", b"<html></html>")},
    )
    assert not form.is_valid()
    assert "内容与扩展名不符" in str(form.errors["attachment"])
