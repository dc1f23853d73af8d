from django.core.management.base import BaseCommand

from core import timeutil
from projects import services as project_services


class Command(BaseCommand):
    help = "为建设中的项目开启当年度绩效评价报告期限（办法第二十五条），可重复执行；建议每年1月1日定时运行。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None)

    def handle(self, *args, year=None, **options):
        year = year or timeutil.today().year
        opened = project_services.performance_report_clocks_open(year)
        self.stdout.write(f"{year}: 新开启 {opened} 个年度绩效评价报告期限")
