"""Settings for the test suite: production settings with fast, local stand-ins."""

import atexit
import os
import shutil
import tempfile

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
# Audit exports go to a directory of this run's own (tests that look at files use tmp_path).
_EXPORT_DIR = tempfile.mkdtemp(prefix="worksadmin-exports-")
atexit.register(shutil.rmtree, _EXPORT_DIR, ignore_errors=True)
STORAGES["audit_exports"]["OPTIONS"]["location"] = _EXPORT_DIR  # noqa: F405
