"""Settings for the test suite: production settings with fast, local stand-ins."""

import os

# Production settings unless the caller says otherwise, whatever a developer's .env holds.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# The sandbox is on, so the suite exercises it; tests/sandbox/test_switch_off.py turns it off.
os.environ.setdefault("SANDBOX", "true")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {
    "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
    "deferred": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Don't scan STATIC_ROOT each time a test client builds the middleware.
WHITENOISE_AUTOREFRESH = True
