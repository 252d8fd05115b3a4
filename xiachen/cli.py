"""The `xiachen` console command: manage.py with the project's settings, e.g. `xiachen demo-city`."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1:
        # Commands are spelled with hyphens for people (`xiachen demo-city`) and underscores for Python.
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)
