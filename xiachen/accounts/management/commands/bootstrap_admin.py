"""`xiachen bootstrap-admin`: the very first system administrator, from the server's console.

The account gets the system administrator's role at the root of the unit tree (created here, from
--root-code/--root-name, when the tree is still empty). The password is read from a prompt (twice)
or, with --password-stdin, from the first line of standard input; it is never printed, logged or
audited. Refuses when an active system administrator exists, unless --force (e.g. to create the
second administrator that privileged grants need, ADR 1401).
"""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xiachen.accounts.administration import check_new_password
from xiachen.accounts.enums import Role
from xiachen.accounts.models import Membership, User
from xiachen.audit import services as audit
from xiachen.org.models import Unit, UnitKind


class Command(BaseCommand):
    help = "Create the first system administrator (password from a prompt or --password-stdin)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--display-name", default="")
        parser.add_argument("--root-code", default="", help="code of the root unit, if the unit tree is empty")
        parser.add_argument("--root-name", default="", help="name of the root unit, if the unit tree is empty")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        parser.add_argument("--force", action="store_true", help="create it even if a system administrator exists")

    def handle(self, *args, **options):
        if not options["force"] and _active_admins().exists():
            raise CommandError("a system administrator already exists; use --force to add another")
        if User.objects.filter(username__iexact=options["username"]).exists():
            raise CommandError(f"username {options['username']!r} is already taken")
        password = self._password(options["password_stdin"])
        problems = check_new_password(password, User(username=options["username"]))
        if problems:
            raise CommandError("password refused: " + " ".join(problems))
        with transaction.atomic():
            root = _root_unit(options["root_code"], options["root_name"])
            user = User(username=options["username"], display_name=options["display_name"])
            user.set_password(password)
            user.save()
            Membership.objects.create(user=user, role=Role.SYSTEM_ADMIN, unit=root)
            audit.record(actor=None, action="user.bootstrapped", target=user,
                         fields={"role": Role.SYSTEM_ADMIN, "unit": root.code, "forced": options["force"]})
        self.stdout.write(self.style.SUCCESS(
            f"system administrator {user.username!r} created at {root.code}; set up TOTP at the first sign-in"
        ))

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("the two passwords differ")
        if not password:
            raise CommandError("empty password")
        return password


def _active_admins():
    return Membership.objects.filter(role=Role.SYSTEM_ADMIN, is_active=True, user__is_active=True)


def _root_unit(code: str, name: str) -> Unit:
    """The unit named by `code` (created as the root when the tree is empty), else the only root."""
    if code:
        unit = Unit.objects.filter(code=code).first()
        if unit is not None:
            return unit
        if Unit.objects.exists():
            raise CommandError(f"no unit has the code {code!r}")
        if not name:
            raise CommandError("the unit tree is empty: give --root-name too")
        root = Unit(code=code, name=name, kind=UnitKind.objects.get(code="city"), parent=None)
        root.build_path()
        root.save()
        return root
    roots = list(Unit.objects.filter(parent__isnull=True).order_by("path")[:2])
    if not roots:
        raise CommandError("the unit tree is empty: give --root-code and --root-name for its root (e.g. the city)")
    if len(roots) > 1:
        raise CommandError("the unit tree has several roots: give --root-code")
    return roots[0]
