import pytest


def pytest_configure(config):
    """The SQLite test database is a file (config/settings_test.py): make its folder."""
    from django.conf import settings

    name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if name:
        from pathlib import Path

        Path(name).parent.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    """Every test stores evidence in its own temporary folder."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


@pytest.fixture
def world(db):
    from tests.factories import World  # imported here so Django-free tests run without Django

    return World.build()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (password-reset throttling lives there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
