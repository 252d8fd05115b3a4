"""Escalate open policy feedback past its deadline to the organization department (safe to rerun)."""

from django.core.management.base import BaseCommand

from xiachen.policies.services import escalate_overdue


class Command(BaseCommand):
    help = "把逾期未答复的政策反馈上报组织部（可重复运行，每条只上报一次）"

    def handle(self, *args, **options):
        count = escalate_overdue()
        self.stdout.write(f"escalated {count}")
