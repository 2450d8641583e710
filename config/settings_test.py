"""The small test override: a fixed key, fast password hashing, local email."""

import os

os.environ.setdefault("TESTING", "1")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tests serve static files through the finders; there is no collectstatic output to watch.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Tasks run inline in tests; the end-to-end test starts a real worker on Redis instead.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
# The SQLite test database is a file, so the end-to-end test's Celery worker (a separate
# process) reads and writes the same data as the test. TEST_SQLITE_NAME lets two test runs on
# one machine keep apart (tests/conftest.py creates its folder).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("TEST_SQLITE_NAME", str(BASE_DIR / "var" / "test-db.sqlite3"))  # noqa: F405
    }
# Two-factor authentication is required of nobody in unit tests that sign people in with
# force_login; tests/test_sign_in.py turns the requirement on to test it.
TWO_FACTOR_REQUIRED_ROLES = []
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
