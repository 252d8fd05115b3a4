"""`manage.py verify_pass TOKEN` (or the token on standard input): one JSON line with the server's verdict."""

import json
import sys

from django.core.management.base import BaseCommand

from xiachen.passes.verification import verify_token


class Command(BaseCommand):
    help = "Verify a pass token with the server verifier and print one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("token", nargs="?", help="the token; read from standard input when omitted")
        parser.add_argument("--direction", choices=["in", "out"], default="in")
        parser.add_argument("--temperature", type=float)

    def handle(self, *args, token=None, direction="in", temperature=None, **options):
        if token is None:
            token = sys.stdin.read(4096).strip()
        verdict = verify_token(token, direction=direction, temperature=temperature)
        self.stdout.write(json.dumps(verdict.as_dict(), ensure_ascii=False))
