"""Test settings: the real settings with a fast password hasher."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run as production does (DEBUG off, config/settings.py), with a key of their own.
SECRET_KEY = SECRET_KEY or "test-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: F405
