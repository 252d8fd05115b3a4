from django.core.management.base import BaseCommand

from xiachen.downloads.services import purge_expired_downloads


class Command(BaseCommand):
    help = "删除已过期的导出文件（生成一天后）。"

    def handle(self, *args, **options) -> None:
        purged = purge_expired_downloads()
        self.stdout.write(f"purged {purged} export file(s)")
