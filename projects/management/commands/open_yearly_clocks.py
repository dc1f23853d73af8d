from django.core.management.base import BaseCommand

from core import timeutil
from projects import services as project_services


class Command(BaseCommand):
    help = (
        "为建设中的项目开启当年度绩效评价报告期限（办法第二十五条），可重复执行。"
        "系统每天首次收到请求时已自动执行（projects/yearly.py），本命令供手工补办。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args, year=None, **options):
        year = year or timeutil.today().year
        opened = project_services.performance_report_clocks_open(year)
        self.stdout.write(f"{year}: 新开启 {opened} 个年度绩效评价报告期限")
