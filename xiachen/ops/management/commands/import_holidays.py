"""`manage.py import_holidays FILE --year 2027 --source "…"`: load a year's holidays and make-up working days.

The file is the project's holiday template (.xlsx) or a CSV with the columns 日期, 名称, 类型 (放假 /
调休上班). All or nothing: any bad row refuses the whole file with every problem listed.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiachen.core.calendar import CalendarImportError, parse_holiday_file, replace_year


class Command(BaseCommand):
    help = "Load one year's public holidays and make-up working days (调休) from an .xlsx or .csv file."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--source", required=True, help="the notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知"
        )

    def handle(self, *args, path: Path, year: int, source: str, **options):
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            rows = parse_holiday_file(path.read_bytes(), filename=path.name, year=year)
            recomputed = replace_year(by=None, year=year, rows=rows, source=source)
        except CalendarImportError as error:
            raise CommandError("\n".join(error.errors)) from None
        days_off = sum(not row.is_workday for row in rows)
        workdays = len(rows) - days_off
        self.stdout.write(f"{year} 年：放假 {days_off} 天，调休上班 {workdays} 天；重新计算暂定期限 {recomputed} 项")
