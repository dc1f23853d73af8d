"""Production is the default (issue 9): DEBUG off unless a development command asks, no server
without a SECRET_KEY, `check --deploy` clean with the documented production settings, idle
sessions end."""

from __future__ import annotations

import datetime
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
# The browser journey sets DJANGO_ALLOW_ASYNC_UNSAFE in its worker process; a deployment never has it.
ENV_KEYS = (
    "DEBUG",
    "SECRET_KEY",
    "DEMO_MODE",
    "HTTPS",
    "BEHIND_PROXY",
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def settings_value(name: str, **env: str) -> str:
    done = run(["-c", f"from config import settings; print(settings.{name})"], **env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_debug_is_off_unless_asked_for():
    assert settings_value("DEBUG") == "False"
    assert settings_value("DEMO_MODE") == "False"
    assert settings_value("DEBUG", DEBUG="1") == "True"


def test_without_a_key_the_deploy_check_and_the_wsgi_server_refuse_to_start():
    done = run(["manage.py", "check", "--deploy"])
    assert done.returncode != 0 and "web.E001" in done.stderr and "SECRET_KEY" in done.stderr
    done = run(["-c", "import config.wsgi"])
    assert done.returncode != 0 and "ImproperlyConfigured" in done.stderr
    assert "web.E001" not in run(["manage.py", "check", "--deploy"], DEBUG="1").stderr


def test_development_commands_run_without_a_key():
    done = run(["manage.py", "makemigrations", "--check", "--dry-run"])
    assert done.returncode == 0, done.stderr


def test_the_demo_accounts_are_not_listed_in_production():
    done = run(["manage.py", "check", "--deploy"], SECRET_KEY=secrets.token_urlsafe(50), DEMO_MODE="1")
    assert done.returncode != 0 and "web.E002" in done.stderr


def test_check_deploy_is_clean_with_the_production_settings():
    done = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=secrets.token_urlsafe(50),
        HTTPS="1",
        BEHIND_PROXY="1",
        ALLOWED_HOSTS="xmgl.example.gov.cn",
    )
    assert done.returncode == 0, done.stderr
    # Without HTTPS the same check warns (the test can fail): redirect, cookies, HSTS.
    done = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], SECRET_KEY=secrets.token_urlsafe(50)
    )
    assert done.returncode != 0 and "security.W004" in done.stderr


@pytest.mark.django_db
def test_an_idle_session_ends(client, people, settings):
    assert settings_value("SESSION_COOKIE_AGE") == str(30 * 60)
    assert settings_value("SESSION_SAVE_EVERY_REQUEST") == "True"
    settings.SESSION_COOKIE_AGE = 30 * 60
    client.force_login(people.owner_preparer)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.django_db
def test_every_page_forbids_inline_script_and_foreign_sources(client, people):
    import base64
    import hashlib
    import re

    client.force_login(people.owner_preparer)
    for url in (reverse("home"), reverse("login"), "/no-such-page/"):
        csp = client.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no other host
        assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'" and "unsafe" not in csp
    # The self-contained error pages' own <style> is allowed by its hash, exactly.
    page = (ROOT / "templates" / "500.html").read_text(encoding="utf-8")
    block = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in directives["style-src"]


def test_no_page_template_carries_inline_script_or_event_attributes():
    import re

    for path in (ROOT / "templates").rglob("*.html"):
        if "documents" in path.parts:  # PDF templates: rendered by WeasyPrint, never served
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
