"""Fixed personas, one per organisation kind and role: ``people.bureau_head``,
``people.owner_preparer`` (the department ``orgs["owner"]``), … and ``people.admin``."""

from __future__ import annotations

import contextlib
import datetime
import zoneinfo

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from pytest_django.plugin import blocking_manager_key

from projects.models import Organisation, User
from tests.factories import CallFactory, OrganisationFactory, UserFactory

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")

AGENCIES = {
    "bureau": "黑龙江省营商环境建设监督局",
    "cac": "中共黑龙江省委网络安全和信息化委员会办公室",
    "crypto": "黑龙江省国家密码管理局",
    "drc": "黑龙江省发展和改革委员会",
    "finance": "黑龙江省财政厅",
    "police": "黑龙江省公安厅",
    "intranet": "黑龙江省电子政务内网办公室",
    "secrecy": "中共黑龙江省委保密委员会办公室",
    "audit": "黑龙江省审计厅",
    "government": "黑龙江省人民政府",
    "expert": "黑龙江省工程咨询评审中心",
}


class People(dict):
    """people["bureau_head"], people.owner_preparer, … one person per (organisation, role)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture(autouse=True)
def audit_trail_flushable(request):
    """Transactional tests end with a flush. SQLite empties tables with DELETE, which the
    audit trail's trigger refuses (migration lifecycle 0003); PostgreSQL truncates. After
    such a test on SQLite, lift the trigger for the one statement that clears the rows,
    then put it back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if transactional:
        # Depend on the database fixture so this teardown runs before its flush.
        request.getfixturevalue("transactional_db")
    yield
    if not transactional:
        return
    from importlib import import_module

    from django.db import connection

    if connection.vendor != "sqlite":
        return
    migration = import_module("lifecycle.migrations.0003_audit_immutable_and_calendar")
    with connection.cursor() as cursor:
        for sql in migration.SQLITE_REVERSE:
            cursor.execute(sql)
        # Sign-offs, filings and confirmations point at the audit rows; the flush that follows
        # empties those tables too, so their references may dangle for this one statement.
        cursor.execute("PRAGMA foreign_keys = OFF")
        cursor.execute("DELETE FROM lifecycle_auditentry")
        cursor.execute("PRAGMA foreign_keys = ON")
        for sql in migration.SQLITE:
            cursor.execute(sql)


def make_orgs() -> dict:
    """The organisations of AGENCIES plus two departments, in two INSERTs (bulk_create)
    instead of a get-or-create per row: the same rows, a fraction of the queries."""
    specs = [(kind, {"kind": kind, "name": name}) for kind, name in AGENCIES.items()]
    specs += [
        ("owner", {"kind": "owner", "name": "黑龙江省教育厅", "code": "黑教"}),
        ("other_owner", {"kind": "owner", "name": "黑龙江省卫生健康委员会", "code": "黑卫"}),
    ]
    built = [OrganisationFactory.build(**fields) for _key, fields in specs]
    Organisation.objects.bulk_create(built)
    return {key: org for (key, _fields), org in zip(specs, built, strict=True)}


def make_people(orgs) -> People:
    """One person per (organisation, role) and the bureau's 管理员, every one with the
    password "demo12345" (hashed once), created with one INSERT."""
    password = make_password("demo12345")
    specs = [
        (f"{key}_{role}", org, role) for key, org in orgs.items() for role in ("preparer", "head", "reviewer")
    ]
    specs.append(("admin", orgs["bureau"], "admin"))
    # As UserFactory's get-or-create: a username taken before (pytest-django's admin_user is
    # "admin") is that person, left as it is.
    existing = User.objects.in_bulk([username for username, _org, _role in specs], field_name="username")
    built = [
        UserFactory.build(username=username, organisation=org, role=role)
        for username, org, role in specs
        if username not in existing
    ]
    for user in built:
        user.password = password
    User.objects.bulk_create(built)
    made = {**existing, **{user.username: user for user in built}}
    return People({username: made[username] for username, _org, _role in specs})


def refetch_people(people) -> People:
    """Fresh instances of ``people`` from the database (one query): for data built once per
    module, so that a test's changes to its instances cannot reach the next test."""
    fresh = User.objects.select_related("organisation").in_bulk([u.pk for u in people.values()])
    return People({key: fresh[user.pk] for key, user in people.items()})


@contextlib.contextmanager
def built_once(django_db_blocker):
    """For a module- or class-scoped fixture (setUpTestData-style): what is built inside lives
    in one transaction, rolled back when the module (class) is done; every test runs in a
    savepoint inside it (pytest-django's ``db``), so what a test changes is undone before the
    next one. Use it only where every test of the module (class) asks for the fixture, so that
    no other test sees its rows; give the tests fresh instances (``refetch_people``)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def orgs(db):
    return make_orgs()


@pytest.fixture
def people(orgs):
    return make_people(orgs)


@pytest.fixture
def call_2026(db):
    return CallFactory(year=2026)


def at(year, month, day, hour=10):
    """Travel to a local (Asia/Shanghai) time; use as a context manager."""
    return time_machine.travel(datetime.datetime(year, month, day, hour, tzinfo=TZ), tick=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying every table, the holiday calendar the migrations
    seeded included; Django assumes such tests run last, but the pytest-xdist workers take
    tests in any order. Once the test's fixtures are torn down, put back what the migrations
    wrote (serialised when the test database was made: ``serialized_rollback=True``)."""
    result = yield
    marker = item.get_closest_marker("django_db")
    # After the last test of a process the session's fixtures are gone too (the test database
    # is dropped and the connection points at the real one again): nothing to put back.
    if marker and marker.kwargs.get("transaction") and nextitem is not None:
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            with item.config.stash[blocking_manager_key].unblock():
                connection.creation.deserialize_db_from_string(contents)
    return result


@pytest.fixture(scope="session", autouse=True)
def other_sessions_closed(django_db_setup, django_db_blocker):
    """At the very end, before the test database is dropped: end the connections threads and
    the browser journey's live server left open. PostgreSQL otherwise waits five seconds and
    then refuses to drop a database that other sessions still use."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
