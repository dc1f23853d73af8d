from django.core.management.base import BaseCommand

from web import demo


class Command(BaseCommand):
    help = "创建演示机构、人员和处于各个阶段的项目（可重复执行），并打印演示账号。"

    def handle(self, *args, **options):
        demo.load()
        self.stdout.write("演示账号（密码均为 %s，仅限本机试用） / Demo accounts (password %s, local use only):"
                          % (demo.DEMO_PASSWORD, demo.DEMO_PASSWORD))
        for username, name, org, role in demo.logins():
            self.stdout.write(f"  {username:<22} {name:<6} {org} {role}")
