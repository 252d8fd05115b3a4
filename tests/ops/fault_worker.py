"""`python -m tests.ops.fault_worker [db_worker options]`: the real `manage.py db_worker`, except
that the matching solver first waits until the file named by XIACHEN_FAULT_GATE exists. The fault
tests use it to hold a run at a known point ("matching 40 %") without sleeps in production code or
a big instance: kill the process there, or cut its database connection and then open the gate."""

import os
import sys
import time
from pathlib import Path


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.ops.fault_settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from xiachen.solver import matching

    solve, gate = matching.solve, Path(os.environ["XIACHEN_FAULT_GATE"])

    def gated(*args, **kwargs):
        while not gate.exists():
            time.sleep(0.02)
        return solve(*args, **kwargs)

    matching.solve = gated
    execute_from_command_line(["manage.py", "db_worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
