"""manage.py generate_province — a province-sized database for the benchmarks (issue 10)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from web import province


class Command(BaseCommand):
    help = (
        "生成省级规模的测试数据库：先通过业务服务办理一组样本项目（覆盖全部状态），再按样本批量复制到"
        "指定数量（默认10000个项目、40个部门），同一随机种子结果相同。仅用于性能测试，不得在生产库运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=province.DEFAULT_PROJECTS, help="项目总数")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（相同种子生成相同数据）")
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, default=None, help="样本的“今天”，YYYY-MM-DD"
        )
        parser.add_argument(
            "--force", action="store_true", help="数据库已有项目时仍然运行：以现有项目为样本追加复制"
        )

    def handle(self, *args, **options):
        if options["projects"] < 1:
            raise CommandError("项目数量须为正整数。")
        try:
            summary = province.generate(
                options["projects"],
                seed=options["seed"],
                today=options["today"],
                force=options["force"],
                progress=lambda message: self.stdout.write(message),
            )
        except province.NotEmpty:
            raise CommandError(
                "数据库中已有项目，为避免与现有数据混杂，已停止生成。请使用空数据库"
                "（先执行 migrate），或加 --force 以现有项目为样本追加生成。"
            ) from None
        self.stdout.write(
            f"完成：共 {summary.projects} 个项目（样本 {summary.sample} 个，批量复制 {summary.clones} 个），"
            f"{len(summary.states)} 个状态，操作记录 {summary.audit_rows} 条，用时 {summary.seconds:.1f} 秒。"
        )
