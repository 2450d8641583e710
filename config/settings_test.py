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
