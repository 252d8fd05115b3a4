"""`manage.py demo_city` (or `xiachen demo-city`): build the synthetic demo city with a login per role."""

import time
import unicodedata
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError

from xiachen.accounts.enums import Role
from xiachen.demo.management.commands.demo_activity import add_volume_arguments, run_month
from xiachen.demo.scales import SCALES
from xiachen.demo.services import (
    DEFAULT_ANCHOR,
    DEMO_PASSWORD,
    DemoCity,
    DemoCityExists,
    existing_demo_logins,
    generate_demo_city,
)


class Command(BaseCommand):
    help = "生成演示城市（单位树、派出单位、干部、住户、居民）和每个角色的演示账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="small",
            help="tiny: tests; small: 2,000 cadres, 30,000 residents; wuhan: 45,000 / 1,000,000",
        )
        parser.add_argument("--seed", type=int, default=2020, help="the same seed always builds the same city")
        parser.add_argument("--reset", action="store_true", help="delete the previous demo city and logins first")
        parser.add_argument("--print-logins", action="store_true", help="only print the existing demo logins")
        parser.add_argument(
            "--anchor",
            type=date.fromisoformat,
            default=DEFAULT_ANCHOR,
            help="the day ages and availability are counted from (YYYY-MM-DD)",
        )
        parser.add_argument(
            "--simulate-month",
            action="store_true",
            help="then add a month of activity ending the day before the anchor (see demo_activity)",
        )
        add_volume_arguments(parser)

    def handle(self, *args, scale: str, seed: int, reset: bool, anchor: date, **options) -> None:
        if options["print_logins"]:
            self.print_logins(existing_demo_logins())
            return
        if anchor > date.today():
            raise CommandError("--anchor 不能晚于今天：居民的出生日期会落在将来。")
        started = time.perf_counter()
        last_report = [started]

        def progress(message: str) -> None:
            if options["verbosity"] > 1 or time.perf_counter() - last_report[0] > 10:
                last_report[0] = time.perf_counter()
                self.stderr.write(f"  [{last_report[0] - started:6.1f}s] {message}")

        try:
            city = generate_demo_city(scale=SCALES[scale], seed=seed, anchor=anchor, reset=reset, progress=progress)
        except DemoCityExists as refusal:
            raise CommandError(str(refusal)) from None
        except ProtectedError as error:
            raise CommandError(f"旧的演示数据仍被其他数据引用，无法重置：{error.args[0]}") from None
        self.print_summary(city, scale=scale, seed=seed, seconds=time.perf_counter() - started)
        if options["simulate_month"]:
            run_month(self, seed=seed, anchor=anchor, options=options)

    def print_summary(self, city: DemoCity, *, scale: str, seed: int, seconds: float) -> None:
        self.stdout.write(
            self.style.SUCCESS(f"演示城市「{city.city.name}」已生成：规模 {scale}，种子 {seed}，用时 {seconds:.1f} 秒")
        )
        self.print_logins(city.logins)
        self.stdout.write("\n数量：")
        for name, count in sorted(city.counts.items()):
            self.stdout.write(f"  {name:<28}{count:>10,}")

    def print_logins(self, logins: list) -> None:
        self.stdout.write(f"\n演示账号（密码都是 {DEMO_PASSWORD}）：")
        self.stdout.write(row(("角色", 22), ("用户名", 10), ("密码", 14), ("姓名", 10), ("范围", 0)))
        for login in logins:
            self.stdout.write(
                row(
                    (str(Role(login.role).label), 22),
                    (login.username, 10),
                    (DEMO_PASSWORD, 14),
                    (login.display_name, 10),
                    (login.unit.name, 0),
                )
            )


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def row(*cells: tuple[str, int]) -> str:
    return "  " + "".join(text + " " * max(0, width - display_width(text)) for text, width in cells)
