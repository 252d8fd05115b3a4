"""Delete unconfirmed uploads (whole files of ID numbers and phones, encrypted) past their keeping time."""

from django.core.management.base import BaseCommand

from xiachen.audit import services as audit
from xiachen.core.imports import purge_pending


class Command(BaseCommand):
    help = "删除超过保存时限（XIACHEN_PENDING_IMPORT_MAX_AGE_HOURS，默认24小时）仍未确认的导入文件（留痕）"

    def handle(self, *args, **options):
        count = purge_pending()
        if count:
            audit.record(actor=None, action="import.pending_purged", fields={"count": count})
        self.stdout.write(f"purged {count}")
