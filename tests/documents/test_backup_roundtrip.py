"""manage.py backup / restore (documents/backup.py, docs/deploy.md §5): a backup of a realistic
system (the demo: projects in every state with their uploads, plus issued filings) restored into
a fresh database and a fresh storage gives back every row of every table and every file byte for
byte, and the audit trail's hash chain still verifies; a tampered or incomplete backup, a
non-empty target and a stored file that no longer matches its row are refused or reported.

Each side runs manage.py in its own subprocess with its own DATABASE_URL and DOCUMENTS_ROOT,
as an operator would. The SQLite tests run on every backend; the PostgreSQL round trip runs
when the suite runs on PostgreSQL (scripts/with-postgres.sh), in two databases of its own."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BUILD = "from tests.documents import backup_world; backup_world.build()"
UNSET = (
    "DEBUG",
    "DEMO_MODE",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_URL",
    "DOCUMENTS_ROOT",
    "DOCUMENTS_STORAGE_BACKEND",
    "DOCUMENTS_STORAGE_OPTIONS",
)


@dataclass
class Site:
    """One installation: a database and a storage folder."""

    database_url: str
    documents: Path
    extra: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in UNSET}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            SECRET_KEY="backup-test-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
            DATABASE_URL=self.database_url,
            DOCUMENTS_ROOT=str(self.documents),
            **self.extra,
        )
        self.env = env

    def manage(self, *args, ok: bool | None = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *map(str, args)],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if ok is True:
            assert result.returncode == 0, result.stdout + result.stderr
        elif ok is False:
            assert result.returncode != 0, result.stdout + result.stderr
        return result

    @property
    def sqlite_file(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))


def sqlite_site(folder: Path) -> Site:
    folder.mkdir(parents=True, exist_ok=True)
    return Site(f"sqlite:///{folder / 'db.sqlite3'}", folder / "private")


def files_of(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def the_backup(output: Path) -> Path:
    (path,) = [p for p in output.iterdir() if not p.name.startswith(".")]
    return path


# ---------------------------------------------------------------- SQLite


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Site:
    site = sqlite_site(tmp_path_factory.mktemp("source"))
    site.manage("migrate", "--noinput")
    site.manage("shell", "-c", BUILD)
    return site


@pytest.fixture(scope="module")
def saved(world, tmp_path_factory) -> tuple[Path, str]:
    output = tmp_path_factory.mktemp("backups")
    result = world.manage("backup", "--output", output)
    return the_backup(output), result.stdout


def sqlite_tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def sqlite_rows(path: Path, table: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()


def sqlite_schema(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()


def assert_same_rows(source: dict[str, list], target: dict[str, list], last_audit_id: int) -> None:
    """Every row of every table equal; the audit trail equal up to the last row in the backup,
    after which the source has the backup's own row and the target the restore's."""
    assert sorted(source) == sorted(target)
    for table in source:
        if table == "lifecycle_auditentry":
            assert [r for r in target[table] if r[0] <= last_audit_id] == [
                r for r in source[table] if r[0] <= last_audit_id
            ]
        elif table == "sqlite_sequence":
            assert [r for r in target[table] if r[0] != "lifecycle_auditentry"] == [
                r for r in source[table] if r[0] != "lifecycle_auditentry"
            ]
        else:
            assert target[table] == source[table], table


def audit_actions_after(path: Path, last_id: int) -> list[str]:
    with sqlite3.connect(path) as db:
        return [
            r[0]
            for r in db.execute("SELECT action FROM lifecycle_auditentry WHERE id > ? ORDER BY id", [last_id])
        ]


def test_the_backup_holds_the_database_every_file_and_a_manifest_that_checks(world, saved):
    path, stdout = saved
    assert "备份完成" in stdout and "SHA256SUMS 的 SHA-256" in stdout
    manifest = json.loads((path / "MANIFEST.json").read_text())
    db = manifest["database"]
    assert manifest["format"] == 1 and db["vendor"] == "sqlite" and db["file"] == "database.sqlite3"
    assert ["lifecycle", "0010_audit_chain"] in db["migrations"]
    # The row counts are those of the database as dumped; the only row written since is the
    # backup's own audit row.
    source = {t: len(sqlite_rows(world.sqlite_file, t)) for t in sqlite_tables(world.sqlite_file)}
    source.pop("sqlite_sequence")
    source["lifecycle_auditentry"] -= 1
    assert db["tables"] == source
    assert audit_actions_after(world.sqlite_file, db["audit"]["last_id"]) == ["backup.created"]
    # Every stored object the rows name, with the digests the rows recorded.
    with sqlite3.connect(world.sqlite_file) as conn:
        rows = conn.execute(
            "SELECT storage_key, size, sha256, sm3 FROM documents_materialversion "
            "UNION ALL SELECT storage_key, size, sha256, sm3 FROM documents_filing"
        ).fetchall()
    kinds = {key.split("/")[0] for key, *_ in rows}
    assert kinds == {"materials", "filings"} and len(rows) > 50
    assert sorted((f["key"], f["size"], f["sha256"], f["sm3"]) for f in manifest["files"]) == sorted(rows)
    assert manifest["mismatches"] == [] and manifest["unreferenced"] == []
    for key, *_ in rows:
        assert (path / "files" / key).read_bytes() == (world.documents / key).read_bytes()
    check = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=path, capture_output=True)
    assert check.returncode == 0, check.stdout
    listed = {line.split("  ", 1)[1] for line in (path / "SHA256SUMS").read_text().splitlines()}
    assert listed == {"MANIFEST.json", "database.sqlite3"} | {f"files/{key}" for key, *_ in rows}


def test_a_restore_into_a_fresh_database_and_storage_gives_back_every_row_and_file(world, saved, tmp_path):
    path, _stdout = saved
    target = sqlite_site(tmp_path / "target")
    result = target.manage("restore", path)
    manifest = json.loads((path / "MANIFEST.json").read_text())
    last = manifest["database"]["audit"]["last_id"]
    assert "恢复完成" in result.stdout and "操作记录哈希链完整" in result.stdout
    assert manifest["database"]["audit"]["head"] in result.stdout

    assert sqlite_schema(target.sqlite_file) == sqlite_schema(world.sqlite_file)  # tables, indexes, triggers
    tables = sqlite_tables(world.sqlite_file)
    assert len(tables) > 40
    assert_same_rows(
        {t: sqlite_rows(world.sqlite_file, t) for t in tables},
        {t: sqlite_rows(target.sqlite_file, t) for t in sqlite_tables(target.sqlite_file)},
        last,
    )
    assert audit_actions_after(target.sqlite_file, last) == ["backup.restored"]
    assert files_of(target.documents) == files_of(world.documents)
    assert len(files_of(target.documents)) == len(manifest["files"])

    verified = target.manage("verify_audit")
    assert f"{manifest['database']['audit']['rows'] + 1}条" in verified.stdout
    # The restored trail still refuses to be rewritten (the triggers came back with the rows).
    with sqlite3.connect(target.sqlite_file) as db, pytest.raises(sqlite3.DatabaseError):
        db.execute("UPDATE lifecycle_auditentry SET reason = 'x' WHERE id = 1")


@pytest.mark.parametrize(
    "damage, named",
    [
        ("file", "files/"),
        ("missing", "缺少文件 files/"),
        ("manifest", "MANIFEST.json"),
        ("database", "database.sqlite3"),
        ("sums", "SHA256SUMS"),
        ("extra", "清单之外的文件：files/materials/slipped-in.pdf"),
    ],
)
def test_a_tampered_or_incomplete_backup_is_refused_before_anything_is_written(
    saved, tmp_path, damage, named
):
    original, _stdout = saved
    path = tmp_path / original.name
    shutil.copytree(original, path)
    manifest = json.loads((path / "MANIFEST.json").read_text())
    victim = path / "files" / manifest["files"][3]["key"]
    if damage == "file":
        victim.write_bytes(victim.read_bytes() + b"\n")
    elif damage == "missing":
        victim.unlink()
    elif damage == "manifest":
        manifest["database"]["tables"]["projects_project"] -= 1
        (path / "MANIFEST.json").write_text(json.dumps(manifest))
    elif damage == "database":
        with sqlite3.connect(path / "database.sqlite3") as db:
            db.execute("DROP TRIGGER lifecycle_auditentry_no_update")
    elif damage == "sums":
        (path / "SHA256SUMS").unlink()
    elif damage == "extra":
        (path / "files" / "materials" / "slipped-in.pdf").write_bytes(b"%PDF-1.4 not in the manifest")
    target = sqlite_site(tmp_path / "target")
    result = target.manage("restore", path, ok=False)
    assert named in result.stderr
    assert "备份" in result.stderr
    if damage == "file":
        assert f"files/{manifest['files'][3]['key']}" in result.stderr and "改动" in result.stderr
    assert not target.sqlite_file.exists() or sqlite_tables(target.sqlite_file) == []
    assert files_of(target.documents) == {}


def test_a_non_empty_database_is_refused_unless_replace_is_given(saved, tmp_path):
    path, _stdout = saved
    target = sqlite_site(tmp_path / "target")
    target.manage("migrate", "--noinput")
    before = sqlite_rows(target.sqlite_file, "django_migrations")
    refused = target.manage("restore", path, ok=False)
    assert "目标数据库不是空的" in refused.stderr and "--replace" in refused.stderr
    assert sqlite_rows(target.sqlite_file, "django_migrations") == before
    assert files_of(target.documents) == {}

    replaced = target.manage("restore", path, "--replace")
    assert "操作记录哈希链完整" in replaced.stdout
    manifest = json.loads((path / "MANIFEST.json").read_text())
    assert (
        len(sqlite_rows(target.sqlite_file, "projects_project"))
        == manifest["database"]["tables"]["projects_project"]
    )
    target.manage("verify_audit")


def test_a_storage_that_already_holds_a_file_is_refused(saved, tmp_path):
    path, _stdout = saved
    target = sqlite_site(tmp_path / "target")
    key = json.loads((path / "MANIFEST.json").read_text())["files"][0]["key"]
    (target.documents / key).parent.mkdir(parents=True)
    (target.documents / key).write_bytes(b"something else")
    refused = target.manage("restore", path, ok=False)
    assert f"目标存储中已有文件 {key}" in refused.stderr
    assert not target.sqlite_file.exists() or sqlite_tables(target.sqlite_file) == []


def test_a_stored_file_that_no_longer_matches_its_row_is_reported(world, tmp_path):
    # A copy of the source installation, whose storage then loses one file and has another changed.
    site = sqlite_site(tmp_path / "copy")
    with sqlite3.connect(world.sqlite_file) as src, sqlite3.connect(site.sqlite_file) as dst:
        src.backup(dst)
    shutil.copytree(world.documents, site.documents)
    with sqlite3.connect(site.sqlite_file) as db:
        (changed, changed_id), (lost, _lost_id) = db.execute(
            "SELECT storage_key, id FROM documents_materialversion ORDER BY id LIMIT 2"
        ).fetchall()
    (site.documents / changed).write_bytes(b"%PDF-1.4 replaced underneath the application")
    (site.documents / lost).unlink()
    (site.documents / "materials" / "stray.pdf").write_bytes(b"no row names this")

    output = tmp_path / "backups"
    result = site.manage("backup", "--output", output, ok=False)
    assert changed in result.stderr and lost in result.stderr
    assert "缺失或与数据库记录的摘要不符" in result.stderr
    manifest = json.loads((the_backup(output) / "MANIFEST.json").read_text())
    problems = {p["key"]: p for p in manifest["mismatches"]}
    assert set(problems) == {changed, lost}
    assert problems[changed]["table"] == "documents_materialversion" and problems[changed]["id"] == changed_id
    assert "摘要" in problems[changed]["why"] and "找不到" in problems[lost]["why"]
    assert manifest["unreferenced"] == ["materials/stray.pdf"]
    # The changed file is kept as found (the evidence); the lost one is not in the backup.
    assert any(f["key"] == changed for f in manifest["files"])
    assert not any(f["key"] == lost for f in manifest["files"])
    with sqlite3.connect(site.sqlite_file) as db:
        label, data = db.execute(
            "SELECT action_label, data FROM lifecycle_auditentry WHERE action = 'backup.created'"
            " ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert "不符" in label and {p["key"] for p in json.loads(data)["mismatches"]} == {changed, lost}


# ---------------------------------------------------------------- S3


@pytest.fixture
def s3(tmp_path):
    """An S3-compatible endpoint on loopback (moto), with an empty private bucket."""
    import boto3  # deferred: only this test talks to S3
    from moto.server import ThreadedMotoServer  # deferred: only this test talks to S3

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=endpoint, **keys).create_bucket(Bucket="zwxx-documents")
    options = {
        "bucket_name": "zwxx-documents",
        "endpoint_url": endpoint,
        "access_key": "testing",
        "secret_key": "testing",
        "region_name": "us-east-1",
        "default_acl": "private",
        "file_overwrite": False,
    }
    yield {
        "DOCUMENTS_STORAGE_BACKEND": "storages.backends.s3.S3Storage",
        "DOCUMENTS_STORAGE_OPTIONS": json.dumps(options),
    }
    server.stop()


def test_files_go_back_through_the_storage_api_into_s3_and_come_out_the_same(saved, s3, tmp_path):
    path, _stdout = saved
    target = Site(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "unused", extra=s3)
    restored = target.manage("restore", path)
    assert "已逐个核对" in restored.stdout
    assert not (tmp_path / "unused").exists()  # nothing on local disk: all in the bucket
    refused = target.manage("restore", path, ok=False)
    assert "目标数据库不是空的" in refused.stderr
    # A backup of the S3 installation holds the same files, byte for byte, and nothing else.
    again = target.manage("backup", "--output", tmp_path / "again")
    second = the_backup(tmp_path / "again")
    manifest = json.loads((second / "MANIFEST.json").read_text())
    assert manifest["mismatches"] == [] and manifest["unreferenced"] == []
    assert files_of(second / "files") == files_of(path / "files")
    assert "备份完成" in again.stdout


# ---------------------------------------------------------------- PostgreSQL


def pg_url(name: str, user: str | None = None) -> str:
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    netloc = url.netloc if user is None else f"{user}@{url.netloc.split('@', 1)[-1]}"
    return urllib.parse.urlunsplit((url.scheme, netloc, f"/{name}", "", ""))


@pytest.fixture
def pg_cluster():
    """Two databases of their own in the suite's cluster: a source made by the superuser, an
    empty target owned by an owner role that is not a superuser (as docs/deploy.md §2)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL: pg_dump / pg_restore")
    import psycopg  # deferred: only on PostgreSQL

    suffix = uuid.uuid4().hex[:8]
    source, target, owner = f"bk_src_{suffix}", f"bk_dst_{suffix}", f"bk_owner_{suffix}"
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {source}")
        admin.execute(f"CREATE ROLE {owner} LOGIN")
        admin.execute(f"CREATE DATABASE {target} OWNER {owner}")
        admin.execute(
            "DO $$ BEGIN CREATE ROLE xmgl_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    yield {"source": source, "target": target, "owner": owner, "params": params}
    with psycopg.connect(**params, autocommit=True) as admin:
        for name in (source, target):
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"DROP ROLE IF EXISTS {owner}")


def pg_snapshot(params: dict, dbname: str) -> dict:
    import psycopg  # deferred: only on PostgreSQL

    with psycopg.connect(**{**params, "dbname": dbname}) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        rows = {}
        for table in tables:
            width = db.execute(
                "SELECT count(*) FROM information_schema.columns"
                " WHERE table_schema = 'public' AND table_name = %s",
                [table],
            ).fetchone()[0]
            order = ", ".join(str(i) for i in range(1, width + 1))
            rows[table] = db.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()
        triggers = db.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2"
        ).fetchall()
        grants = db.execute(
            "SELECT has_table_privilege('xmgl_app', 'lifecycle_auditentry', 'UPDATE'),"
            " has_table_privilege('xmgl_app', 'lifecycle_auditentry', 'INSERT'),"
            " has_table_privilege('xmgl_app', 'projects_project', 'UPDATE')"
        ).fetchone()
        owners = {r[0] for r in db.execute("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")}
        actions = db.execute("SELECT id, action FROM lifecycle_auditentry ORDER BY id").fetchall()
    return {"rows": rows, "triggers": triggers, "grants": grants, "owners": owners, "actions": actions}


def test_postgresql_round_trip_as_the_owner_role_with_the_grants_applied_again(pg_cluster, tmp_path):
    source = Site(pg_url(pg_cluster["source"]), tmp_path / "source-private")
    source.manage("migrate", "--noinput")
    source.manage("shell", "-c", BUILD)
    output = tmp_path / "backups"
    saved = source.manage("backup", "--output", output)
    assert "数据库 postgresql" in saved.stdout
    path = the_backup(output)
    manifest = json.loads((path / "MANIFEST.json").read_text())
    assert manifest["database"]["file"] == "database.dump"
    assert (path / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    target = Site(pg_url(pg_cluster["target"], user=pg_cluster["owner"]), tmp_path / "target-private")
    restored = target.manage("restore", path, "--grants", ROOT / "deploy" / "grants.sql")
    assert "操作记录哈希链完整" in restored.stdout

    before = pg_snapshot(pg_cluster["params"], pg_cluster["source"])
    after = pg_snapshot(pg_cluster["params"], pg_cluster["target"])
    last = manifest["database"]["audit"]["last_id"]
    assert len(before["rows"]) > 40
    assert after["triggers"] == before["triggers"] and after["triggers"]
    assert after["owners"] == {pg_cluster["owner"]}
    # deploy/grants.sql again: the application's role reads and writes, but never rewrites the trail.
    assert after["grants"] == (False, True, True)
    audit = "lifecycle_auditentry"
    assert [a for i, a in after["actions"] if i > last] == ["backup.restored"]
    assert [a for i, a in before["actions"] if i > last] == ["backup.created"]
    for table, rows in before["rows"].items():
        if table == audit:
            assert [r for r in after["rows"][table] if r[0] <= last] == [r for r in rows if r[0] <= last]
        else:
            assert after["rows"][table] == rows, table
    assert files_of(target.documents) == files_of(source.documents) != {}
    target.manage("verify_audit")

    again = target.manage("restore", path, ok=False)
    assert "目标数据库不是空的" in again.stderr


def test_the_nightly_unit_runs_the_backup_command_and_keeps_its_output_in_the_journal():
    service = (ROOT / "deploy" / "xmgl-backup.service").read_text()
    timer = (ROOT / "deploy" / "xmgl-backup.timer").read_text()
    assert "ExecStart=/srv/xmgl/.venv/bin/python manage.py backup --output /var/backups/xmgl" in service
    assert "EnvironmentFile=/etc/xmgl/env" in service and "UMask=0077" in service
    assert "OnCalendar=*-*-* 02:00:00" in timer
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    assert "manage.py restore" in deploy and "--grants deploy/grants.sql" in deploy
    assert "pg_dump -Fc -f" not in deploy  # the manual recipe is gone
