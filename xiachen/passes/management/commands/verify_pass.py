"""`manage.py verify_pass [--gate UUID] TOKEN` (or the token on standard input): one JSON line with the verdict."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from xiachen.org.models import Unit
from xiachen.passes.tokens import MAX_TOKEN_LENGTH
from xiachen.passes.verification import verify_token


class Command(BaseCommand):
    help = "Verify a pass token with the server verifier (as a gate would with --gate) and print one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("token", nargs="?", help="the token; read from standard input when omitted")
        parser.add_argument("--gate", help="a gate's (compound's) id: check audience, keys and policy as that gate")
        parser.add_argument("--direction", choices=["in", "out"], default="in")
        parser.add_argument("--temperature", type=float)

    def run_from_argv(self, argv):
        """A token that begins with "-" is still a token (it is malformed, and says so in the verdict),
        not an unknown option: put "--" before the first such argument."""
        with_value = {"-v", "--verbosity", "--settings", "--pythonpath", "--gate", "--direction", "--temperature"}
        flags = {"-h", "--help", "--version", "--traceback", "--no-color", "--force-color", "--skip-checks"}
        head, rest = argv[:2], argv[2:]
        for index, arg in enumerate(rest):
            if arg == "--":
                break
            is_option = arg.split("=", 1)[0] in with_value | flags
            is_a_value = index > 0 and rest[index - 1] in with_value
            if arg.startswith("-") and not is_option and not is_a_value:
                rest = [*rest[:index], "--", *rest[index:]]
                break
        super().run_from_argv(head + rest)

    def handle(self, *args, token=None, gate=None, direction="in", temperature=None, **options):
        if token is None:
            # One character more than a token may have, so an oversize one is reported as such; the
            # verifier strips the whitespace (a trailing newline) after checking the length.
            token = sys.stdin.read(MAX_TOKEN_LENGTH + 1)
        gate_unit = None
        if gate:
            gate_unit = Unit.objects.filter(public_id=gate).select_related("parent").first() if _is_uuid(gate) else None
            if gate_unit is None:
                raise CommandError(f"no gate with id {gate}")
        verdict = verify_token(token, gate=gate_unit, direction=direction, temperature=temperature)
        self.stdout.write(json.dumps(verdict.as_dict(), ensure_ascii=False))


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
