"""manage.py backup --output DIR — the database, every stored file and a digest manifest in
DIR/<UTC time>/ (documents/backup.py, docs/deploy.md §5). Exits with status 1 after writing the
backup when a stored file is missing or no longer matches the digests recorded in its row."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from documents import backup


class Command(BaseCommand):
    help = "备份数据库和存储的全部文件（材料、文书），附摘要清单 MANIFEST.json 和 SHA256SUMS。"

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, type=Path, help="备份写入此目录下以时间命名的子目录")

    def handle(self, *args, output: Path, **options):
        try:
            outcome = backup.backup(output, progress=self._progress)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        manifest = outcome.manifest
        db = manifest["database"]
        self.stdout.write(f"备份完成：{outcome.path}")
        self.stdout.write(
            f"  数据库 {db['vendor']}：{len(db['tables'])} 张表，{sum(db['tables'].values())} 行；"
            f"文件 {len(manifest['files'])} 个"
        )
        self.stdout.write(f"  操作记录 {db['audit']['rows']} 条，链头 {db['audit']['head']}")
        sums = backup._sha256_file(outcome.path / backup.SUMS)
        # Printed for the journal: the anchor a rewritten backup cannot match.
        self.stdout.write(f"  {backup.SUMS} 的 SHA-256：{sums}")
        if manifest["unreferenced"]:
            self.stdout.write(
                f"  存储中另有 {len(manifest['unreferenced'])} 个无记录引用的文件（已列入清单，未备份）"
            )
        if outcome.problems:
            for problem in outcome.problems:
                self.stderr.write(f"  {problem['table']} #{problem['id']} {problem['key']}：{problem['why']}")
            raise CommandError(
                f"有 {len(outcome.problems)} 个存储的文件缺失或与数据库记录的摘要不符（见上，已记入清单）。"
            )

    def _progress(self, message: str) -> None:
        self.stdout.write(f"  … {message}")
