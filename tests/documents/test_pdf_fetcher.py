"""A filing never reads anything but the project's own static files while rendering: not a
file of the machine, not the network, not an uploaded material (issue 9, WeasyPrint)."""

from __future__ import annotations

import pytest
from django.conf import settings

from documents import pdf

from . import pdfcheck

SECRET = "TOP-SECRET-CONTENT-4711"


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.css"
    path.write_text(f'body::after {{ content: "{SECRET}" }}')
    return path


def render(body: str) -> str:
    data, _pages = pdf.html_to_pdf(f"<html><body><p>正文</p>{body}</body></html>")
    return pdfcheck.text(data)


@pytest.mark.parametrize(
    "tag",
    [
        '<link rel="stylesheet" href="{uri}">',
        "<style>@import url('{uri}');</style>",
        '<img src="{uri}">',
        '<object data="{uri}"></object>',
        '<link rel="attachment" href="{uri}">',
    ],
)
def test_a_file_of_the_machine_is_not_read(secret_file, tag):
    text = render(tag.format(uri=secret_file.as_uri()))
    assert "正文" in text and SECRET not in text


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/hostname",
        "file:///proc/self/environ",
        "http://127.0.0.1:9/x.css",
        "https://example.com/x.png",
        "ftp://127.0.0.1/x",
        "data:text/css,body{color:red}",
        "data:text/html,<p>x</p>",
        "../../etc/passwd",
        "app/../../manage.py",
        "app/../../db.sqlite3",
    ],
)
def test_only_static_files_and_inline_images_are_allowed(url):
    base = f"{pdf.static_root().as_uri()}/"
    from urllib.parse import urljoin

    assert not pdf.allowed(urljoin(base, url))


def test_the_projects_static_files_and_generated_images_are_allowed(settings):
    assert pdf.allowed((pdf.static_root() / "app" / "app.css").as_uri())
    assert pdf.allowed("data:image/png;base64,iVBORw0KGgo=")


def test_a_symbolic_link_out_of_static_is_refused(tmp_path, settings, secret_file):
    static = tmp_path / "static"
    static.mkdir()
    (static / "link.css").symlink_to(secret_file)
    settings.BASE_DIR = tmp_path
    assert not pdf.allowed((static / "link.css").as_uri())
    assert pdf.static_root() == static.resolve()


def test_a_static_stylesheet_is_applied():
    """The fetcher is not a blanket refusal: the project's own stylesheet is read."""
    css = pdf.static_root() / "app" / "app.css"
    assert css.is_file() and css.is_relative_to(settings.BASE_DIR)
    fetched = pdf._url_fetcher().fetch(css.as_uri())
    try:
        assert fetched.read(10)
    finally:
        fetched.close()


def test_the_system_fonts_are_read_but_not_a_font_named_file_elsewhere(tmp_path):
    import subprocess

    path = subprocess.run(
        ["fc-match", "-f", "%{file}", "Noto Serif CJK SC"], capture_output=True, text=True, check=True
    ).stdout
    assert pdf.allowed(f"file://{path}")
    fake = tmp_path / "stolen.ttf"
    fake.write_text(SECRET)
    assert not pdf.allowed(fake.as_uri())
    assert not pdf.allowed("file:///usr/share/fonts/../../../etc/passwd")
