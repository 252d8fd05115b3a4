"""What people may upload, and how it is served back (issue 15, item 8).

Attachments to notices and policy versions are documents for residents and staff: an allow-list
of office formats, checked by extension *and* by the file's first bytes (a renamed .html or .svg
is refused), always served as a download with a sandboxing CSP so nothing in them runs on our
origin. Photos lose their metadata on upload — EXIF carries the GPS position of a resident's door
and the phone's serial number — after the orientation is applied to the pixels.
"""

import io
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# extension → the magic numbers a real file of that kind starts with
ATTACHMENT_TYPES = {
    ".pdf": (b"%PDF-",),
    ".docx": (ZIP,), ".xlsx": (ZIP,), ".pptx": (ZIP,), ".ofd": (ZIP,),  # OFD: the national e-document format
    ".doc": (OLE,), ".xls": (OLE,), ".ppt": (OLE,), ".wps": (OLE,), ".et": (OLE,),
    ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",), ".png": (b"\x89PNG\r\n\x1a\n",),
}
SANDBOX_CSP = "default-src 'none'; sandbox"


def check_attachment(file) -> None:
    """Raise ValidationError (Chinese, naming the file and the allowed types) unless `file` is one
    of ATTACHMENT_TYPES by both its extension and its first bytes."""
    extension = PurePath(file.name or "").suffix.lower()
    allowed = "、".join(sorted({e.lstrip(".").upper() for e in ATTACHMENT_TYPES}))
    magics = ATTACHMENT_TYPES.get(extension)
    if magics is None:
        raise ValidationError(_("附件“%(name)s”的类型不允许：只接受 %(types)s") % {"name": file.name, "types": allowed})
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not any(head.startswith(magic) for magic in magics):
        raise ValidationError(_("附件“%(name)s”的内容与扩展名不符，请上传原始文件") % {"name": file.name})


def without_metadata(file) -> ContentFile:
    """The photo re-encoded from its pixels only (orientation applied): no EXIF, GPS, XMP or ICC
    comments survive. Raises ValidationError when it is not an image Pillow can read."""
    file.seek(0)
    try:
        with Image.open(file) as original:
            kind = original.format or "JPEG"
            image = ImageOps.exif_transpose(original)
            clean = Image.new(image.mode, image.size)
            clean.putdata(list(image.getdata())) if image.mode == "P" else clean.paste(image)
            if image.mode == "P" and (palette := image.getpalette()):
                clean.putpalette(palette)
    except (UnidentifiedImageError, OSError) as error:
        raise ValidationError(_("“%(name)s”不是可识别的图片") % {"name": file.name}) from error
    out = io.BytesIO()
    kind = kind if kind in {"JPEG", "PNG", "WEBP", "GIF"} else "JPEG"
    if kind == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    clean.save(out, format=kind, **({"quality": 90} if kind in {"JPEG", "WEBP"} else {}))
    suffix = "jpg" if kind == "JPEG" else kind.lower()
    return ContentFile(out.getvalue(), name=f"{PurePath(file.name or 'photo').stem}.{suffix}")


def attachment_response(fieldfile) -> FileResponse:
    """An uploaded document as a download that cannot run anything on this origin."""
    response = FileResponse(fieldfile.open("rb"), as_attachment=True, filename=fieldfile.name.rsplit("/", 1)[-1])
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


def image_response(fieldfile) -> FileResponse:
    """An uploaded photo shown inline, sandboxed like an attachment."""
    response = FileResponse(fieldfile.open("rb"), filename=fieldfile.name.rsplit("/", 1)[-1])
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response
