from django.core.management.base import BaseCommand

from lifecycle import second_factor
from web import demo


class Command(BaseCommand):
    help = "创建演示机构、人员和处于各个阶段的项目（可重复执行），并打印演示账号。"

    def handle(self, *args, **options):
        # Run on the server, not signed in: the heads' steps of the demo need no second factor
        # even under OTP_REQUIRED_FOR_HEADS (lifecycle/second_factor.py).
        with second_factor.on_the_server():
            demo.load()
        self.stdout.write(
            f"演示账号（密码均为 {demo.DEMO_PASSWORD}，仅限本机试用） / "
            f"Demo accounts (password {demo.DEMO_PASSWORD}, local use only):"
        )
        for username, name, org, role in demo.logins():
            self.stdout.write(f"  {username:<22} {name:<6} {org} {role}")
