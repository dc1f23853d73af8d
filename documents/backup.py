"""Backups and restores of the whole system: the database, the stored files, a digest manifest
(docs/deploy.md §5, issue 9).

A backup is one directory ``<output>/<UTC time>/``:

* ``database.sqlite3`` (SQLite: the online backup API, a consistent copy while the application
  runs) or ``database.dump`` (PostgreSQL: ``pg_dump -Fc`` inside an exported REPEATABLE READ
  snapshot, so the row counts and the list of files are read from exactly the rows dumped);
* ``files/<key>``: every stored material and filing (the ``storage_key`` of the rows of
  ``documents_materialversion`` and ``documents_filing``), read through the storage API
  (local disk or S3, docs/storage.md), never from a path;
* ``MANIFEST.json``: format version, time, Django version, the database vendor, the applied
  migrations, the row count of every table, the audit trail's last row and chain head, and
  for each file its key, size, SHA-256 and SM3, checked against the digests recorded in its
  row; a stored file that no longer matches its row (or is missing) is listed under
  ``mismatches`` (the backup still completes: it is the evidence);
* ``SHA256SUMS`` (``sha256sum -c`` format) over the database file, every file and the manifest.

The directory is written under a ``.partial`` name and renamed when complete, so a backup cut
short never looks like one.

``restore()`` checks every digest of the backup FIRST and refuses a tampered or incomplete one,
naming the first bad file; refuses a target database that has tables, or a storage that already
holds one of the keys, unless told to replace; restores the database with the vendor's own tool
(byte-exact rows: the audit trail's triggers and hash chain make ``flush``/``loaddata``
impossible and wrong), writes every file back through the storage API and reads it back against
the manifest, then walks the audit chain and records the restore as an audit row.

Both write an audit row: the backup's AFTER the dump (it cannot be inside the backup it
describes; the next backup holds it), the restore's into the restored database, linked to the
restored chain.
"""

from __future__ import annotations

import datetime
import getpass
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from lifecycle import chain
from lifecycle.models import AuditEntry

from . import storage
from .models import Filing, MaterialVersion

FORMAT = 1
MANIFEST = "MANIFEST.json"
SUMS = "SHA256SUMS"
FILES = "files"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
ACTION_BACKUP = "backup.created"
ACTION_RESTORE = "backup.restored"
OBJECT_TYPE = "documents.backup"
#: The tables whose rows name stored objects, with the columns read from them.
STORED = (MaterialVersion, Filing)
CHUNK = 1024 * 1024
PAGES = 4096  # SQLite pages copied per step of the online backup (progress between steps)

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the operator, in Chinese."""


@dataclass
class Outcome:
    path: Path
    manifest: dict[str, Any]
    problems: list[dict[str, Any]] = field(default_factory=list)


def _quiet(_message: str) -> None:
    pass


# ---------------------------------------------------------------- helpers


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _safe_key(key: str) -> bool:
    """A key is written below ``files/``: never absolute, never climbing out."""
    if not key or any(c in key for c in ("\\", "\x00", "\n", "\r")):
        return False
    parts = PurePosixPath(key).parts
    return not PurePosixPath(key).is_absolute() and ".." not in parts and "." not in parts


def _os_user() -> str:
    """Who ran the command (the operator's account on the server): the audit row's actor is the system."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _facts(cursor, tables: list[str]) -> dict[str, Any]:
    """Row counts, migrations, stored objects and the audit trail's end, read through a DB-API
    cursor (sqlite3 on the copy, or Django's inside the dump's snapshot)."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations = [list(row) for row in cursor.fetchall()]
    stored = []
    for model in STORED:
        table = model._meta.db_table
        cursor.execute(f"SELECT id, storage_key, size, sha256, sm3 FROM {_quote(table)} ORDER BY id")
        stored += [
            {"table": table, "id": row[0], "key": row[1], "size": row[2], "sha256": row[3], "sm3": row[4]}
            for row in cursor.fetchall()
        ]
    cursor.execute(f"SELECT id, row_hash FROM {_quote(AuditEntry._meta.db_table)} ORDER BY id DESC LIMIT 1")
    last = cursor.fetchone()
    audit = {"rows": counts.get(AuditEntry._meta.db_table, 0), "last_id": last[0] if last else None}
    audit["head"] = last[1] if last else ""
    return {"tables": counts, "migrations": migrations, "stored": stored, "audit": audit}


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore: PG_BINDIR, else PostgreSQL 15's Debian place, else the PATH."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]) / name)
    candidates.append(Path("/usr/lib/postgresql/15/bin") / name)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"找不到 {name}（PostgreSQL 15 客户端工具）；请安装 postgresql-client-15 或设置 PG_BINDIR。"
        )
    return found


def _pg_args() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return [*args, "-d", str(db["NAME"])], env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what}失败（退出码 {result.returncode}）：{result.stderr.strip()[-2000:]}")


# ---------------------------------------------------------------- backup


def _dump_sqlite(target: Path, progress: Progress) -> dict[str, Any]:
    name = settings.DATABASES["default"]["NAME"]
    source = sqlite3.connect(name)
    copy = sqlite3.connect(target)
    try:

        def step(_status: int, remaining: int, total: int) -> None:
            progress(f"数据库：已复制 {total - remaining}/{total} 页")

        # The online backup API: a consistent copy while the application keeps writing (a
        # step that sees the source change starts again).
        source.backup(copy, pages=PAGES, progress=step)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        tables = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return _facts(copy.cursor(), tables)
    finally:
        copy.close()
        source.close()


def _dump_postgresql(target: Path, progress: Progress) -> dict[str, Any]:
    args, env = _pg_args()
    with transaction.atomic(), connection.cursor() as cursor:
        # One snapshot for pg_dump and for everything the manifest says about the rows.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        progress("数据库：pg_dump -Fc …")
        _run([_pg_tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(target), *args], env, "pg_dump")
        tables = connection.introspection.table_names(cursor)
        return _facts(cursor, tables)


def _copy_out(key: str, target: Path) -> tuple[int, str, str]:
    sha, sm3, size = hashlib.sha256(), hashlib.new("sm3"), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with storage.open_file(key) as src, target.open("wb") as dst:
        while chunk := src.read(CHUNK):
            sha.update(chunk)
            sm3.update(chunk)
            size += len(chunk)
            dst.write(chunk)
    return size, sha.hexdigest(), sm3.hexdigest()


def _storage_keys(path: str = "") -> Iterator[str]:
    """Every object of the storage (FileSystemStorage and S3 both list directories)."""
    dirs, files = storage.storage().listdir(path)
    for name in files:
        yield f"{path}/{name}" if path else name
    for name in dirs:
        yield from _storage_keys(f"{path}/{name}" if path else name)


def backup(output: Path, *, progress: Progress = _quiet) -> Outcome:
    """Write a backup under ``output``; returns its directory, manifest and the stored files
    that do not match their rows. Records the backup as an audit row after the dump."""
    now = timezone.now().astimezone(datetime.UTC)
    name = now.strftime("%Y%m%dT%H%M%SZ")
    final = Path(output) / name
    work = Path(output) / f".{name}.partial"
    if final.exists() or work.exists():
        raise BackupError(f"备份目录 {final} 已存在。")
    Path(output).mkdir(parents=True, exist_ok=True)
    work.mkdir(mode=0o700)  # every material of every project: readable by its owner only
    try:
        manifest, problems = _write(work, now, progress)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)  # a backup cut short leaves nothing behind
        raise
    work.rename(final)
    db = manifest["database"]
    AuditEntry.objects.create(
        at=timezone.now(),
        actor_name="系统",
        object_type=OBJECT_TYPE,
        object_id=name,
        action=ACTION_BACKUP,
        action_label="备份数据库和存储的文件" if not problems else "备份（有文件与记录不符）",
        data={
            "directory": str(final),
            "sums_sha256": _sha256_file(final / SUMS),
            "files": len(manifest["files"]),
            "mismatches": problems[:50],
            "audit_rows": db["audit"]["rows"],
            "audit_head": db["audit"]["head"],
            "os_user": _os_user(),
        },
    )
    return Outcome(final, manifest, problems)


def _write(
    work: Path, now: datetime.datetime, progress: Progress
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The database, the files, the manifest and the sums, into ``work``."""
    vendor = connection.vendor
    if vendor == "sqlite":
        db_file = SQLITE_FILE
        facts = _dump_sqlite(work / db_file, progress)
    elif vendor == "postgresql":
        db_file = PG_FILE
        facts = _dump_postgresql(work / db_file, progress)
    else:
        raise BackupError(f"不支持的数据库：{vendor}")
    sums = {db_file: _sha256_file(work / db_file)}

    files, problems = [], []
    total = len(facts["stored"])
    copied_bytes = 0
    for i, row in enumerate(facts["stored"], 1):
        key = row["key"]
        where = {"key": key, "table": row["table"], "id": row["id"]}
        if not _safe_key(key):
            problems.append({**where, "why": "存储位置不是安全的相对路径，未备份"})
            continue
        relative = f"{FILES}/{key}"
        try:
            size, sha, sm3 = _copy_out(key, work / relative)
        except Exception as error:  # missing, or the storage failed (any backend): listed, not copied
            (work / relative).unlink(missing_ok=True)
            missing = any(isinstance(e, FileNotFoundError) for e in (error, error.__cause__))
            why = "存储中找不到该文件" if missing else "读取存储失败"
            problems.append({**where, "why": f"{why}（{type(error).__name__}: {str(error)[:200]}）"})
            continue
        copied_bytes += size
        files.append({**where, "size": size, "sha256": sha, "sm3": sm3})
        sums[relative] = sha
        if (size, sha, sm3) != (row["size"], row["sha256"], row["sm3"]):
            problems.append({**where, "why": "存储的文件与数据库记录的大小或摘要（SHA-256/SM3）不符"})
        if i % 100 == 0 or i == total:
            progress(f"文件：已复制 {i}/{total} 个（{copied_bytes / 1048576:.1f} MB）")

    known = {row["key"] for row in facts["stored"]}
    try:
        # jobs/: the files of background jobs (projects/jobs.py), made again on demand, not kept
        unreferenced = sorted(k for k in set(_storage_keys()) - known if not k.startswith("jobs/"))
    except (NotImplementedError, OSError):
        unreferenced = []
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(timespec="seconds"),
        "django": django.get_version(),
        "database": {
            "vendor": vendor,
            "file": db_file,
            "sha256": sums[db_file],
            "size": (work / db_file).stat().st_size,
            "tables": facts["tables"],
            "migrations": facts["migrations"],
            "audit": facts["audit"],
        },
        "files": files,
        "mismatches": problems,
        # Objects in the storage no row names (e.g. left by an interrupted delete): listed, not copied.
        "unreferenced": unreferenced,
    }
    (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    sums[MANIFEST] = _sha256_file(work / MANIFEST)
    (work / SUMS).write_text("".join(f"{digest}  {path}\n" for path, digest in sorted(sums.items())))
    return manifest, problems


# ---------------------------------------------------------------- verify


def verify(path: Path) -> dict[str, Any]:
    """Check a backup directory against its digests before anything is restored; returns the
    manifest or raises BackupError naming the first bad file."""
    path = Path(path)
    sums_file = path / SUMS
    if not sums_file.is_file():
        raise BackupError(f"{path} 不是完整的备份：缺少 {SUMS}。")
    listed: dict[str, str] = {}
    for number, line in enumerate(sums_file.read_text().splitlines(), 1):
        digest, sep, relative = line.partition("  ")
        if not sep or len(digest) != 64 or not _safe_key(relative):
            raise BackupError(f"{SUMS} 第{number}行格式不对：{line[:100]}")
        listed[relative] = digest
    if MANIFEST not in listed:
        raise BackupError(f"{SUMS} 未列出 {MANIFEST}：备份不完整。")
    for relative, digest in listed.items():
        file = path / relative
        if not file.is_file():
            raise BackupError(f"备份不完整：缺少文件 {relative}。")
        if _sha256_file(file) != digest:
            raise BackupError(f"备份已被改动或损坏：文件 {relative} 的 SHA-256 与 {SUMS} 不符。")
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except ValueError as error:
        raise BackupError(f"{MANIFEST} 无法读取：{error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式版本：{manifest.get('format')}（本程序为 {FORMAT}）。")
    db = manifest["database"]
    if listed.get(db["file"]) != db["sha256"]:
        raise BackupError(f"备份不完整：数据库文件 {db['file']} 未列入 {SUMS} 或摘要不符。")
    for entry in manifest["files"]:
        relative = f"{FILES}/{entry['key']}"
        if listed.get(relative) != entry["sha256"]:
            raise BackupError(f"备份不完整：文件 {relative} 未列入 {SUMS} 或摘要与清单不符。")
    expected = {f"{FILES}/{e['key']}" for e in manifest["files"]}
    present = {p.relative_to(path).as_posix() for p in (path / FILES).rglob("*") if not p.is_dir()}
    for relative in sorted(set(listed) | present):
        if relative.startswith(f"{FILES}/") and relative not in expected:
            raise BackupError(f"备份中有清单之外的文件：{relative}。")
    return manifest


# ---------------------------------------------------------------- restore


def _nonempty_tables() -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _restore_sqlite(file: Path, progress: Progress) -> None:
    name = settings.DATABASES["default"]["NAME"]
    connection.close()
    source = sqlite3.connect(file.resolve().as_uri() + "?mode=ro", uri=True)
    target = sqlite3.connect(name)
    try:

        def step(_status: int, remaining: int, total: int) -> None:
            progress(f"数据库：已写入 {total - remaining}/{total} 页")

        source.backup(target, pages=PAGES, progress=step)
    finally:
        target.close()
        source.close()


def _restore_postgresql(file: Path, replace: bool, grants: Path | None, progress: Progress) -> None:
    args, env = _pg_args()
    connection.close()
    progress("数据库：pg_restore …")
    # As the owner role (DATABASE_URL of the owner): objects owned by the connecting role, the
    # source's GRANTs left out and applied again from deploy/grants.sql.
    command = [
        _pg_tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]
    if replace:
        command += ["--clean", "--if-exists"]
    _run([*command, *args, str(file)], env, "pg_restore")
    if grants is not None:
        progress(f"数据库：授权 {grants}")
        sql = "\n".join(
            line for line in grants.read_text().splitlines() if not line.lstrip().startswith("--")
        )
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in filter(str.strip, sql.split(";")):
                cursor.execute(statement)


def _write_back(path: Path, entry: dict[str, Any], replace: bool) -> None:
    key = entry["key"]
    store = storage.storage()
    if store.exists(key):
        if not replace:  # checked before the database was touched; a race is still refused
            raise BackupError(f"目标存储中已有文件 {key}。")
        store.delete(key)
    with (path / FILES / key).open("rb") as fh:
        saved = store.save(key, File(fh))
    if saved != key:
        raise BackupError(f"存储把文件 {key} 存成了 {saved}：目标存储不是空的或不允许指定名称。")
    sha = hashlib.sha256()
    size = 0
    with storage.open_file(key) as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    if (size, sha.hexdigest()) != (entry["size"], entry["sha256"]):
        raise BackupError(f"写回存储后读出的文件 {key} 与清单不符。")


def _pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def restore(
    path: Path, *, replace: bool = False, grants: Path | None = None, progress: Progress = _quiet
) -> dict[str, Any]:
    """Restore the backup at ``path`` into the configured database and storage. Refuses a
    backup whose digests do not match, and a non-empty target unless ``replace``. Returns the
    summary (tables, files, audit chain) after recording the restore as an audit row."""
    path = Path(path)
    progress("核对备份的摘要 …")
    manifest = verify(path)
    db = manifest["database"]
    if db["vendor"] != connection.vendor:
        raise BackupError(f"备份来自 {db['vendor']} 数据库，目标是 {connection.vendor}：不能直接恢复。")
    tables = _nonempty_tables()
    if tables and not replace:
        raise BackupError(
            f"目标数据库不是空的（已有 {len(tables)} 张表，例如 {sorted(tables)[0]}）：恢复只写入空数据库。"
            "请新建空数据库，或确认要覆盖后加 --replace。"
        )
    store = storage.storage()
    if not replace:
        for entry in manifest["files"]:
            if store.exists(entry["key"]):
                raise BackupError(
                    f"目标存储中已有文件 {entry['key']}：请使用空的存储，或确认要覆盖后加 --replace。"
                )

    file = path / db["file"]
    if connection.vendor == "sqlite":
        _restore_sqlite(file, progress)
    else:
        _restore_postgresql(file, replace, grants, progress)

    total = len(manifest["files"])
    for i, entry in enumerate(manifest["files"], 1):
        _write_back(path, entry, replace)
        if i % 100 == 0 or i == total:
            progress(f"文件：已写回 {i}/{total} 个")

    with connection.cursor() as cursor:
        restored = _facts(cursor, connection.introspection.table_names(cursor))["tables"]
    wrong = {t: (n, restored.get(t)) for t, n in db["tables"].items() if restored.get(t) != n}
    if wrong:
        table, (expected, got) = sorted(wrong.items())[0]
        raise BackupError(f"恢复后表 {table} 有 {got} 行，清单记录 {expected} 行。")
    progress("核验操作记录哈希链 …")
    verdict = chain.verify(AuditEntry)
    if not verdict.ok:
        raise BackupError(f"恢复后操作记录第{verdict.broken_at}号：{verdict.why}。")
    if verdict.head != db["audit"]["head"]:
        raise BackupError("恢复后操作记录的链头与备份清单不符。")
    pending = _pending_migrations()
    summary = {
        "backup": path.name,
        "created_at": manifest["created_at"],
        "tables": restored,
        "files": total,
        "bytes": sum(e["size"] for e in manifest["files"]),
        "mismatches": manifest["mismatches"],
        "audit_rows": verdict.rows,
        "audit_head": verdict.head,
        "pending_migrations": pending,
    }
    AuditEntry.objects.create(
        at=timezone.now(),
        actor_name="系统",
        object_type=OBJECT_TYPE,
        object_id=path.name,
        action=ACTION_RESTORE,
        action_label="从备份恢复数据库和存储的文件",
        data={k: v for k, v in summary.items() if k != "tables"}
        | {"mismatches": len(manifest["mismatches"]), "os_user": _os_user()},
    )
    return summary
