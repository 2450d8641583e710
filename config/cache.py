"""The cache: Redis, and the database while Redis cannot be reached.

The cache holds little (the password-reset throttle, rate limits), but a request that needs
it must not fail because Redis is down. `RedisOrDatabaseCache` sends every call to Redis; when
Redis cannot be reached it sends that call, and every call for the next RETRY_AFTER seconds,
to Django's database cache instead (the table `cache_fallback`, made by tracker's migration
0012, so it exists wherever the database does). While Redis is down the processes share the
database table; once it is back they share Redis again (what was counted in the database
meanwhile is not carried over, so a limit may allow a little more around the change).

    CACHES = {"default": {"BACKEND": "config.cache.RedisOrDatabaseCache",
                          "LOCATION": "redis://127.0.0.1:6379/0"}}

OPTIONS may add RETRY_AFTER (seconds, default 10) and FALLBACK_TABLE; the rest go to Redis,
with connect and socket timeouts of one second unless given, so a Redis that does not
answer costs a request one second, not a minute.
"""

import logging
import time
from collections.abc import Iterable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

FALLBACK_TABLE = "cache_fallback"
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
SHARED_PARAMS = ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")


class RedisOrDatabaseCache(BaseCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 10))
        table = options.pop("FALLBACK_TABLE", FALLBACK_TABLE)
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        shared = {name: params[name] for name in SHARED_PARAMS if name in params}
        self.redis = RedisCache(server, {**shared, "OPTIONS": options})
        self.database = DatabaseCache(table, shared)
        self.down_until = 0.0  # per process and thread: Django keeps one cache per thread

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= self.down_until:
            try:
                return getattr(self.redis, method)(*args, **kwargs)
            except REDIS_DOWN as exc:
                self.down_until = time.monotonic() + self.retry_after
                log.warning(
                    "Redis cannot be reached (%s): the cache uses the database for %ss.",
                    exc,
                    self.retry_after,
                )
        return getattr(self.database, method)(*args, **kwargs)

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._call("add", key, value, timeout=timeout, version=version)

    def get(self, key: str, default: Any = None, version: Any = None) -> Any:
        return self._call("get", key, default=default, version=version)

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._call("set", key, value, timeout=timeout, version=version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._call("touch", key, timeout=timeout, version=version)

    def delete(self, key: str, version: Any = None) -> Any:
        return self._call("delete", key, version=version)

    def get_many(self, keys: Iterable[str], version: Any = None) -> Any:
        return self._call("get_many", list(keys), version=version)

    def has_key(self, key: str, version: Any = None) -> Any:
        return self._call("has_key", key, version=version)

    def incr(self, key: str, delta: int = 1, version: Any = None) -> Any:
        return self._call("incr", key, delta=delta, version=version)

    def decr(self, key: str, delta: int = 1, version: Any = None) -> Any:
        return self._call("decr", key, delta=delta, version=version)

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> Any:
        return self._call("set_many", data, timeout=timeout, version=version)

    def delete_many(self, keys: Iterable[str], version: Any = None) -> Any:
        return self._call("delete_many", list(keys), version=version)

    def clear(self) -> None:
        """Both: what was kept in the database while Redis was down goes too."""
        self._call("clear")
        self.database.clear()

    def close(self, **kwargs: Any) -> None:
        self.redis.close(**kwargs)
        self.database.close(**kwargs)
