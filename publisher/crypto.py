"""Encryption at rest for KashFlow credentials.

A Fernet key is derived from each entry of ``settings.FIELD_ENCRYPTION_KEY`` (comma separated,
newest first), so keys can be rotated: values are written with the first and read with any.
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet(keys: str) -> MultiFernet:
    derived = [
        Fernet(base64.urlsafe_b64encode(hashlib.sha256(k.strip().encode()).digest()))
        for k in keys.split(",")
        if k.strip()
    ]
    return MultiFernet(derived)


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("stored credential cannot be decrypted with FIELD_ENCRYPTION_KEY") from exc
