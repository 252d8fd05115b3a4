"""`manage.py demo_activity`: add a simulated month of activity to the existing demo city.

    manage.py demo_activity                      # the Wuhan month: 10 M scans, 1 M errands, 300,000 tickets
    manage.py demo_activity --factor 0.001       # the same shapes, a thousandth of the volume
    manage.py demo_activity --scans 2000 --errands 300 --tickets 100
    manage.py demo_activity --reset              # delete the previous simulated month first

`demo_city --simulate-month` builds the city and then runs this with the same seed and anchor.
"""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiachen.demo.activity import ActivityError, Volume, simulate_month
from xiachen.demo.activity_reset import delete_demo_activity
from xiachen.demo.services import DEFAULT_ANCHOR


def add_volume_arguments(parser: CommandParser) -> None:
    parser.add_argument("--days", type=int, default=30, help="simulated days ending the day before the anchor")
    parser.add_argument("--factor", type=float, default=1.0, help="scale the default month's volumes")
    parser.add_argument("--scans", type=int, help="gate scans (default 10,000,000 × factor)")
    parser.add_argument("--errands", type=int, help="errands (default 1,000,000 × factor)")
    parser.add_argument("--tickets", type=int, help="hotline tickets (default 300,000 × factor)")


def volume_of(options: dict) -> Volume:
    volume = Volume().scaled(options["factor"])
    return Volume(
        scans=options["scans"] if options["scans"] is not None else volume.scans,
        errands=options["errands"] if options["errands"] is not None else volume.errands,
        tickets=options["tickets"] if options["tickets"] is not None else volume.tickets,
        survey_responses_per_compound=volume.survey_responses_per_compound,
    )


def run_month(command: BaseCommand, *, seed: int, anchor: date, options: dict) -> dict:
    """Simulate the month, printing progress and each phase's time; returns the counts."""
    started = time.perf_counter()

    def progress(message: str) -> None:
        command.stderr.write(f"  [{time.perf_counter() - started:7.1f}s] {message}")

    try:
        result = simulate_month(
            seed=seed, anchor=anchor, days=options["days"], volume=volume_of(options), progress=progress
        )
    except ActivityError as refusal:
        raise CommandError(str(refusal)) from None
    command.stdout.write(command.style.SUCCESS(f"模拟月数据已生成，用时 {time.perf_counter() - started:.1f} 秒"))
    for name, value in sorted(result.items()):
        command.stdout.write(f"  {name:<28}{value:>12,}" if isinstance(value, int) else f"  {name:<28}{value:>12}")
    return result


class Command(BaseCommand):
    help = "为已有的演示城市生成一个月的模拟业务数据（下沉派驻、排班考勤、出入扫码、代办、热线、问卷、评价）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument(
            "--anchor",
            type=date.fromisoformat,
            default=DEFAULT_ANCHOR,
            help="the month ends the day before this date (YYYY-MM-DD)",
        )
        parser.add_argument("--reset", action="store_true", help="delete the previous simulated month first")
        add_volume_arguments(parser)

    def handle(self, *args, seed: int, anchor: date, reset: bool, **options) -> None:
        if reset:
            delete_demo_activity(progress=lambda message: self.stderr.write(f"  {message}"))
        run_month(self, seed=seed, anchor=anchor, options=options)
