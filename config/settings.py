"""Settings for the 政务信息化项目全生命周期管理系统.

Everything that differs between a developer laptop, CI and a government intranet comes
from the environment: DATABASE_URL (SQLite by default), SECRET_KEY, DEBUG, ALLOWED_HOSTS.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

# Production is the default: DEBUG only where a development command asks for it (`make run`
# sets DEBUG=1). Without DEBUG there is no fallback key: a server without SECRET_KEY refuses
# to start (config/checks.py, config/wsgi.py) instead of signing sessions with a known key.
DEBUG = os.environ.get("DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

# Behind HTTPS (docs/deploy.md): HTTPS=1 turns on the redirect, secure cookies and HSTS;
# BEHIND_PROXY=1 trusts the proxy's X-Forwarded-Proto (nginx sets it).
HTTPS = os.environ.get("HTTPS", "0") == "1"
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
# The browsers' HSTS preload list is for public domains; a government intranet's host is never
# on it, so `check --deploy` need not ask for it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if os.environ.get("BEHIND_PROXY", "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# 等保2.0 三级: an idle session ends (default 30 minutes without a request; each request
# renews it), and the session ends with the browser.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # the form widgets' templates, so templates/django/forms/ can word them (FORM_RENDERER)
    "django.forms",
    "django_fsm",
    "axes",
    # Two-factor sign-in (TOTP) for the people who sign (issue 9, 等保2.0 三级): the devices
    # and one-time recovery codes; web/admin.py replaces their admin (no secrets shown, a
    # reset is audited).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Long work in the background (issue 10): Django 6's tasks framework (backported) and its
    # queue in the database — no extra server; `manage.py db_worker` runs the tasks.
    "django_tasks",
    "django_tasks_db",
    "core",
    "projects",
    "lifecycle",
    "documents",
    "exports",
    "web",
    # Issue 12: the REST API (api/, at the web layer) and its OpenAPI 3 schema.
    "rest_framework",
    "drf_spectacular",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy: no inline script, everything from this server (issue 9).
    "config.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Issue 11: English pages cite the 办法 as "Art. 10" (config/articles.py, core/articles.py).
    "config.articles.EnglishArticlesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed the second step (TOTP, issue 9); a person
    # with a confirmed device is sent to that step before any other page (web/otp_middleware.py).
    "django_otp.middleware.OTPMiddleware",
    "web.otp_middleware.SecondStepMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # 办法第二十五条: the yearly report clocks open by themselves (projects/yearly.py).
    "config.daily.DailyChecksMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that its process_exception sees a view's exception first: 409 for two people
    # acting at once, the friendly 403/404 pages also when DEBUG is on (issue 7).
    "config.middleware.ErrorPagesMiddleware",
    # After authentication: answers a locked-out sign-in with the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Issue 11: a form posted without a valid CSRF token gets the site's Chinese 403 page.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

#: Daily checks made by the first request of each day (config/daily.py, projects/yearly.py).
LIFECYCLE_DAILY_CHECKS = os.environ.get("LIFECYCLE_DAILY_CHECKS", "1") != "0"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lifecycle.context_processors.policy",
                "web.context_processors.vocabulary",
                "web.notify_context.notifications",  # issue 12: the header's unread count
            ],
        },
    },
]

# Form widgets are rendered through TEMPLATES, so templates/django/forms/widgets/ replaces the
# framework's "---------" of an empty choice with Chinese wording (issue 11).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two people acting at once (issue 7): readers never wait for a writer (WAL); a writer
    # waits up to SQLITE_TIMEOUT seconds for another instead of failing with "database is
    # locked"; and every transaction takes the write lock when it begins (IMMEDIATE), so a
    # transaction that read a row never finds itself unable to write it — the second one
    # waits, then sees the first one's result (ConcurrentUpdate → "该事项已被他人处理").
    # A lock still held after the timeout is answered by config.middleware with a 409 page.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": float(os.environ.get("SQLITE_TIMEOUT", "20")),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "projects.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The sign-in page lists the demo accounts (load_demo) only in demo mode, which follows
# DEBUG unless DEMO_MODE says otherwise. A real intranet runs with DEBUG=0.
DEMO_MODE = os.environ.get("DEMO_MODE", "1" if DEBUG else "0") == "1"

# 等保2.0 三级 (issue 9): repeated failed sign-ins lock the account and the address
# (django-axes): after AXES_FAILURE_LIMIT failures within the cool-off time, by username or
# by client address, for AXES_COOLOFF_TIME; a success resets the count. The bureau's
# administrator unlocks in the admin (访问尝试 → delete) or with `manage.py axes_reset_username`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend loading the person's organisation with them (projects/backends.py);
    # Django's own stays for sessions signed in before it (a session names its backend).
    "projects.backends.PersonBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "web.access_log.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = 1 if os.environ.get("BEHIND_PROXY", "0") == "1" else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if os.environ.get("BEHIND_PROXY", "0") == "1" else ["REMOTE_ADDR"]
)

# Two-factor sign-in (TOTP, django-otp; docs/security.md "Two-factor sign-in (TOTP)"). A
# person who enrolled a device enters its code after the password, and their 负责人 steps
# always need that verified session. OTP_REQUIRED_FOR_HEADS=1 makes it compulsory: no
# 负责人 step without a verified session, enrolled or not (lifecycle/second_factor.py).
OTP_REQUIRED_FOR_HEADS = os.environ.get("OTP_REQUIRED_FOR_HEADS", "0") == "1"
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "政务信息化项目管理")
# A wrong code makes the next attempt wait 1, 2, 4, 8 … seconds (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Passwords: at least 12 characters of three kinds, not like the username or the person's
# name, not a common or all-numeric one, and never the demo password outside the demo
# (web/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "web.passwords.CharacterClassesValidator"},
    {"NAME": "web.passwords.NotTheDemoPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# The rule book in force. A city that adopts the system under 办法第四十条 points this at
# its own policy object (see lifecycle/policy.py); nothing else changes.
LIFECYCLE_POLICY = os.environ.get("LIFECYCLE_POLICY", "lifecycle.policy.HEILONGJIANG_2023")

# Admin transition buttons are only shown where a transition declares admin=True;
# every project transition does, and the service layer checks who may take it.
FSM_ADMIN_FORCE_PERMIT = False

# Uploaded materials and generated filings (documents app). Private: never served from
# MEDIA_URL; downloads go through documents.views, which checks who may see the project and
# records the download. An S3-compatible store (MinIO …) is configured here by environment
# alone — see docs/storage.md.
import json as _json  # noqa: E402

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "documents": {
        "BACKEND": os.environ.get("DOCUMENTS_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": _json.loads(os.environ.get("DOCUMENTS_STORAGE_OPTIONS", "") or "null")
        or {"location": str(Path(os.environ.get("DOCUMENTS_ROOT", BASE_DIR / "private")))},
    },
}
# Not a number of the 办法: an operational limit for one uploaded file, enforced while the
# body streams in (documents/uploads.py, first of the handlers) and again on the stored file.
DOCUMENTS_MAX_UPLOAD_BYTES = int(os.environ.get("DOCUMENTS_MAX_UPLOAD_BYTES", 100 * 1024 * 1024))
FILE_UPLOAD_HANDLERS = [
    "documents.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# A file above 2.5 MB goes to a temporary file, not memory; the form fields of a request (not
# its files) may take at most 2.5 MB and 1,000 fields (Django's defaults, stated here).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# Long work in the background (issue 10; projects/jobs.py): the annual-plan PDF, big exports and
# audit dossiers are queued in the database and run by `manage.py db_worker` (`make run` starts
# it beside the web server; docs/deploy.md runs it as a service). TASKS_BACKEND=immediate runs
# them inside the request instead (the tests, and a machine without a worker).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("TASKS_BACKEND", "database") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}
# Exports of more projects than this are written in the background (exports/views.py).
EXPORT_BACKGROUND_ROWS = int(os.environ.get("EXPORT_BACKGROUND_ROWS", "1000"))
# The annual-plan PDF is rendered in parts of about this many rows, joined at the end
# (documents/pdf.py), in up to this many processes, each part in a fresh child forked from a
# warmed parent. A child's memory is mostly fixed (the copies of the two faces WeasyPrint makes
# to subset them, ~45 MB, and what it unshares from the parent); a row costs about 14 ms and
# 0.25 MB while it is laid out. Measured on a province's 7,819 rows (docs/benchmarks.md):
# 150 rows, 80 s and 465 MB for the job; 300 rows, 632 MB.
PDF_PART_ROWS = int(os.environ.get("PDF_PART_ROWS", "150"))
PDF_PROCESSES = int(os.environ.get("PDF_PROCESSES", "2"))
# An audit dossier of more stored bytes than this is packed in the background (documents/views.py).
DOSSIER_BACKGROUND_BYTES = int(os.environ.get("DOSSIER_BACKGROUND_BYTES", str(50 * 1024 * 1024)))
# A job still running after this long lost its worker (a crash): it is shown as interrupted.
JOB_STALE_MINUTES = int(os.environ.get("JOB_STALE_MINUTES", "60"))


# Issue 12: the REST API (api/; docs/api.md). Token authentication only (api/auth.py: hashed
# keys, the second factor the token was created with), JSON in and out, no browsable pages;
# refusals as JSON with the article (api/errors.py). The schema is served at /api/schema/
# (no documentation UI from a CDN: the intranets have no internet).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "黑龙江省政务信息化项目管理系统 API",
    "DESCRIPTION": "项目、阶段、时限、意见、变更、文书、材料（读取），各环节办理（写入），"
    "以及投资项目在线审批监管平台进展填报（办法第十五条）。说明见 docs/api.md。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ProjectStateEnum": "core.states.ProjectState",
        "ChangeStateEnum": "core.states.ChangeState",
    },
}
#: How long an API token lives (days); a setting of this system, not of the 办法.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "30"))

# Issue 12: notifications by e-mail (projects/notifications.py; docs/notifications.md).
# Development (DEBUG=1) prints them on the console; production sends them by SMTP, configured
# by EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS / EMAIL_USE_SSL,
# DEFAULT_FROM_EMAIL; EMAIL_BACKEND overrides the choice.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
# The address links in e-mails and the calendar feed start with.
NOTIFY_SITE_URL = os.environ.get("NOTIFY_SITE_URL", "http://127.0.0.1:8000")
# Hour (local time) at which the reminder job runs each day (projects/reminders.py).
REMINDER_HOUR = int(os.environ.get("REMINDER_HOUR", "7"))
