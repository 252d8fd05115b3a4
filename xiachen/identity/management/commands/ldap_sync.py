"""`xiachen ldap-sync`: the directory sync's dry-run report, or with --apply the sync itself."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xiachen.identity.ldap_directory import DirectoryError, all_people, ldap_enabled
from xiachen.identity.ldap_sync import reconcile


class Command(BaseCommand):
    help = "Compare the LDAP directory with the accounts (dry run); --apply makes them agree (audited)."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="write the changes (default: report only)")
        parser.add_argument("--scheduled", action="store_true",
                            help="run by the scheduler: nothing unless XIACHEN_LDAP_SYNC_SCHEDULED is on")
        parser.add_argument("--force", action="store_true",
                            help="apply even when more than XIACHEN_LDAP_SYNC_MAX_DISABLE accounts would be disabled")

    def handle(self, *args, apply: bool, scheduled: bool, force: bool, **options):
        if not ldap_enabled() or (scheduled and not settings.XIACHEN_LDAP_SYNC_SCHEDULED):
            self.stdout.write("LDAP sync is not configured; nothing to do.")
            return
        try:
            people = all_people()
        except DirectoryError as error:
            raise CommandError(f"directory unavailable: {error}") from error
        report = reconcile(people, apply=False)
        for change in report.changes:
            self.stdout.write(f"{change.kind:14} {change.username} {change.detail}")
        for code in sorted(report.unmatched_departments):
            self.stdout.write(f"unmatched department {code}")
        disabling = report.count("disable")
        self.stdout.write(f"{report.people} people, {len(report.changes)} changes, {disabling} to disable")
        if not apply:
            return
        if report.count("disable") > settings.XIACHEN_LDAP_SYNC_MAX_DISABLE and not force:
            raise CommandError(f"{report.count('disable')} accounts would be disabled (limit "
                               f"{settings.XIACHEN_LDAP_SYNC_MAX_DISABLE}): review the dry run, then --force")
        reconcile(people, apply=True)
        self.stdout.write("applied")
