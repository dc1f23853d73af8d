"""The production set-up of docs/deploy.md, smoke-tested: gunicorn with deploy/gunicorn.conf.py
and the production settings answers on loopback; nginx's body limit matches the upload cap."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str):
    request = urllib.request.Request(url, headers={"Host": "xmgl.example.gov.cn"})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(request, timeout=10)
    except urllib.error.HTTPError as answer:
        return answer


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    unset = ("DEBUG", "DEMO_MODE", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="xmgl.example.gov.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DOCUMENTS_ROOT=str(tmp_path / "private"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
    )
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert migrate.returncode == 0, migrate.stderr
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None, server.stderr.read()
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=30)


def test_gunicorn_serves_the_sign_in_page_with_the_production_settings(gunicorn):
    page = get(f"{gunicorn}/accounts/login/")
    body = page.read().decode()
    assert page.status == 200 and "登录" in body
    assert "演示账号" not in body and "demo12345" not in body  # no demo accounts in production
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    home = get(f"{gunicorn}/")
    assert home.status == 302 and "/accounts/login/" in home.headers["Location"]
    missing = get(f"{gunicorn}/no-such-page/")
    assert missing.status == 404 and "Traceback" not in missing.read().decode()


def test_gunicorn_listens_on_loopback_only_by_default():
    text = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    assert 'os.environ.get("GUNICORN_BIND", "127.0.0.1:' in text


def test_nginx_refuses_a_body_above_the_upload_cap():
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    limit = int(re.search(r"client_max_body_size (\d+)m;", text).group(1)) << 20
    cap = settings.DOCUMENTS_MAX_UPLOAD_BYTES
    assert cap < limit <= cap + (2 << 20)
