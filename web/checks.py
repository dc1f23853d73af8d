"""Checks of the production set-up (``manage.py check --deploy``, which docs/deploy.md runs
before starting the service). They are deploy checks, so development commands such as
``makemigrations`` or ``migrate`` run without a key; the WSGI server refuses to start without
one on its own (config/wsgi.py)."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages


def _key() -> str:
    try:
        return settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to read an empty key
        return ""


@register("security", deploy=True)
def secret_key_given(app_configs=None, **kwargs) -> list[Error]:
    errors: list[Error] = []
    if not settings.DEBUG and not _key():
        errors.append(
            Error(
                "未设置 SECRET_KEY：生产环境（DEBUG=0）必须由环境变量 SECRET_KEY 提供密钥。",
                hint="export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')",
                id="web.E001",
            )
        )
    if not settings.DEBUG and getattr(settings, "DEMO_MODE", False):
        errors.append(
            Error(
                "DEMO_MODE=1 只用于演示：生产环境（DEBUG=0）不得在登录页列出演示账号。",
                hint="去掉 DEMO_MODE，或只在 `make run`（DEBUG=1）时使用演示数据。",
                id="web.E002",
            )
        )
    return errors


@register("storage")
def documents_storage_usable(app_configs=None, **kwargs) -> list[Error]:
    """The storage of materials and filings (docs/storage.md) is built from the environment; a
    wrong backend name, a missing django-storages or a bad option is reported when the server
    starts, not at the first upload."""
    try:
        storages.create_storage(cast(dict, settings.STORAGES["documents"]))
    except Exception as exc:  # any import or option error of a third-party backend
        return [
            Error(
                f"材料和文书的存储（STORAGES['documents']）无法建立：{type(exc).__name__}: {exc}",
                hint="检查 DOCUMENTS_STORAGE_BACKEND 与 DOCUMENTS_STORAGE_OPTIONS（docs/storage.md）；"
                "使用 S3 兼容存储时须安装 django-storages[s3]。",
                id="web.E003",
            )
        ]
    return []
