"""Test settings: the real settings with a fast password hasher."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A test sees only the clocks it opens (tests/projects/test_construction_yearly_clocks.py
# switches the daily check on).
LIFECYCLE_DAILY_CHECKS = False
