"""Login rate limiting: failed attempts counted per username and address in the shared cache.

The cache is Redis, so every web process on every machine sees the same count. When the cache
cannot be reached, sign-in keeps working (logged): locking everyone out is the worse failure.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

WINDOW_SECONDS = 15 * 60


def _key(username: str, address: str) -> str:
    # Hashed so a username never sits in the cache in the clear.
    digest = hashlib.sha256(f"{username.strip().lower()}|{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def client_address(request) -> str:
    """The address the request came from, as the outermost trusted proxy saw it.

    Behind ``TRUSTED_PROXIES`` reverse proxies REMOTE_ADDR is the nearest proxy; each proxy
    appends the address it saw to X-Forwarded-For, so the client's is that many from the end.
    Anything further left was written by the client and is not believed.
    """
    proxies = settings.TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def is_locked_out(username: str, address: str) -> bool:
    try:
        return (cache.get(_key(username, address)) or 0) >= settings.LOGIN_RATE_LIMIT
    except Exception:  # noqa: BLE001 - any cache failure must not block sign-in
        log.warning("login rate limit cache unreachable", exc_info=True)
        return False


def record_failure(username: str, address: str) -> int:
    key = _key(username, address)
    try:
        # add() starts the window on the first failure; incr() never extends it.
        if cache.add(key, 1, WINDOW_SECONDS):
            return 1
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, WINDOW_SECONDS)
        return 1
    except Exception:  # noqa: BLE001
        log.warning("login rate limit cache unreachable", exc_info=True)
        return 0


def clear_failures(username: str, address: str) -> None:
    try:
        cache.delete(_key(username, address))
    except Exception:  # noqa: BLE001
        log.warning("login rate limit cache unreachable", exc_info=True)
