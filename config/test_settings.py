"""Test settings: the real settings with a fast password hasher."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run as production does (DEBUG off, config/settings.py), with a key of their own.
SECRET_KEY = SECRET_KEY or "test-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: F405
# Tests travel in time (core.timeutil / time-machine) across days between requests; the idle
# timeout of production (30 minutes, config/settings.py) is tested on its own in
# tests/web/test_safe_defaults.py.
SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600
# A test sees only the clocks it opens (tests/projects/test_construction_yearly_clocks.py
# switches the daily check on).
LIFECYCLE_DAILY_CHECKS = False
# Background tasks run inside the request (projects/jobs.py); tests/web/test_jobs_worker.py
# runs the real database queue and worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PDF_PROCESSES = 1
