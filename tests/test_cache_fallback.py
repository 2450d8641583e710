"""Defect 4 of issue 19: while Redis was down, asking for a password reset gave a 500 (the
throttle's cache call had no fallback). The cache production uses (config/settings.py with
REDIS_URL set) now falls back to a table in the database (config/cache.py), so the page works
and the throttle still counts."""

import importlib.util
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from config.cache import FALLBACK_TABLE, RedisOrDatabaseCache
from tests.own_redis import OwnRedis
from tracker.models import OutboxMessage

NOBODY_LISTENS = "redis://127.0.0.1:1/0"


def production_caches(monkeypatch, redis_url: str) -> dict:
    """CACHES as config/settings.py makes it in production, with REDIS_URL set."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    path = Path(settings.BASE_DIR) / "config" / "settings.py"
    spec = importlib.util.spec_from_file_location("production_settings_probe", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CACHES


def rows_in_fallback_table() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(FALLBACK_TABLE)}")  # noqa: S608 - a constant
        return cursor.fetchone()[0]


@pytest.fixture
def redis_down(db, monkeypatch):
    """Production's cache, with Redis down (undone before the database closes)."""
    with override_settings(CACHES=production_caches(monkeypatch, NOBODY_LISTENS)):
        yield


def test_password_reset_gives_the_usual_page_while_redis_is_down(client, person, redis_down):
    response = client.post(reverse("accounts:password_reset"), {"email": person.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    page = client.get(response["Location"])
    assert page.status_code == 200


def test_the_throttle_still_counts_in_the_database_while_redis_is_down(client, person, redis_down):
    url = reverse("accounts:password_reset")
    assert rows_in_fallback_table() == 0
    for _ in range(3):
        assert client.post(url, {"email": person.email}).status_code == 302
    assert rows_in_fallback_table() == 1  # the address's throttle, kept in the database
    assert OutboxMessage.objects.count() == 1  # one email asked for, not three


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_cache_uses_redis_while_it_is_up_and_the_database_while_it_is_down(tmp_path):
    """With a Redis of our own, stopped and started again."""
    server = OwnRedis(tmp_path / "redis")
    server.start()
    try:
        cache = RedisOrDatabaseCache(server.url, {"OPTIONS": {"RETRY_AFTER": 0.2}})
        direct = redis.Redis.from_url(server.url)
        cache.set("a", 1)
        assert cache.get("a") == 1
        assert direct.exists(":1:a")  # in Redis
        assert rows_in_fallback_table() == 0

        server.stop()
        assert cache.add("b", 2) is True  # no error: the database has it
        assert cache.add("b", 3) is False  # and counts it
        assert cache.get("b") == 2
        assert rows_in_fallback_table() == 1

        server.start()
        time.sleep(0.3)  # RETRY_AFTER: then Redis is tried again
        cache.set("c", 3)
        assert direct.exists(":1:c")
        assert rows_in_fallback_table() == 1
    finally:
        server.stop()
