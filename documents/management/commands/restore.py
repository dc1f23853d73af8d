"""manage.py restore DIR — restore a backup of ``manage.py backup`` into an empty database and
storage (documents/backup.py, docs/deploy.md §5): the digests are checked first, then the
database (SQLite online backup API / pg_restore as the owner role), the files through the
storage API, the row counts and the audit trail's hash chain."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents import backup


class Command(BaseCommand):
    help = "从 manage.py backup 的备份恢复数据库和存储的文件：先核对摘要，只写入空的数据库和存储。"
    # The target may be an empty database: nothing to check against it before the restore.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="备份目录（含 MANIFEST.json 和 SHA256SUMS）")
        parser.add_argument(
            "--replace", action="store_true", help="目标数据库或存储不是空的时也恢复，覆盖其中的表和同名文件"
        )
        parser.add_argument(
            "--grants",
            type=Path,
            help="PostgreSQL：恢复后执行的授权脚本（deploy/grants.sql），以属主角色运行",
        )

    def handle(self, *args, path: Path, replace: bool, grants: Path | None, **options):
        try:
            summary = backup.restore(path, replace=replace, grants=grants, progress=self._progress)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        tables = summary["tables"]
        self.stdout.write(f"恢复完成：备份 {summary['backup']}（{summary['created_at']}）")
        self.stdout.write(f"  数据库：{len(tables)} 张表，{sum(tables.values())} 行")
        for table, rows in sorted(tables.items()):
            self.stdout.write(f"    {table:<40} {rows:>8}")
        self.stdout.write(f"  文件：{summary['files']} 个，{summary['bytes']} 字节，已逐个核对")
        self.stdout.write(f"  操作记录哈希链完整：{summary['audit_rows']}条，链头 {summary['audit_head']}")
        if summary["mismatches"]:
            self.stdout.write(
                f"  注意：备份时有 {len(summary['mismatches'])} 个文件与记录不符（见 MANIFEST.json）"
            )
        if summary["pending_migrations"]:
            self.stdout.write(
                f"  注意：本版本代码另有 {len(summary['pending_migrations'])} 个未应用的迁移，"
                "请以属主角色运行 migrate：" + "、".join(summary["pending_migrations"])
            )

    def _progress(self, message: str) -> None:
        self.stdout.write(f"  … {message}")
