"""A server's password: never shown, never in a plain file; remembered only by the operating system's keyring.

Every face shows a URL through `mask_url` (status bar, title, logs, error messages, the audit log). A URL
given without a password is completed by `password_for` from the keyring, or by asking the clerk; a keyring
that is missing or broken (a Linux box without a secret service) simply remembers nothing.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

SERVICE = "oldcomm_desktop"
MASK = "***"
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^:/?#@\s]*:)(?P<pw>[^@/\s]*)(?P<tail>@)")


def mask_url(url: str) -> str:
    """`url` with its password (if any) replaced by ***; any text that is not a URL comes back as it was."""
    try:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        if parsed.password is None:
            return url if "@" not in url else _URL_PASSWORD.sub(rf"\g<head>{MASK}\g<tail>", url)
        return parsed.render_as_string(hide_password=True)
    except Exception:  # not something SQLAlchemy parses: mask by pattern
        return mask_text(url)


def mask_text(text: str) -> str:
    """Any `scheme://user:password@` inside free text (an error message, a log line) with the password masked."""
    return _URL_PASSWORD.sub(rf"\g<head>{MASK}\g<tail>", text)


def hide(text: str, *secrets: str | None) -> str:
    """`text` with every URL password, and each given secret, masked (for messages built from driver errors)."""
    text = mask_text(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def _key(url: str) -> str | None:
    """The keyring's account name for a server: the URL without its password (user@host:port/db)."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).set(password=None).render_as_string(hide_password=False)
    except Exception:
        return None


def has_password(url: str) -> bool:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).password is not None
    except Exception:
        return False


def needs_password(url: str) -> bool:
    """A server URL naming a user but no password (SQLite files and peer logins need none)."""
    try:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
    except Exception:
        return False
    return parsed.get_backend_name() != "sqlite" and parsed.username is not None and parsed.password is None


def password_for(url: str) -> str | None:
    """The password the keyring remembers for this server, or None (nothing remembered, or no keyring)."""
    key = _key(url)
    if key is None:
        return None
    try:
        import keyring

        return keyring.get_password(SERVICE, key)
    except Exception as exc:  # no backend, a locked or broken one: remember nothing, never crash
        log.info("keyring unavailable: %s", type(exc).__name__)
        return None


def remember_password(url: str, password: str) -> bool:
    """Let the keyring remember `password` for this server; False when there is no usable keyring."""
    key = _key(url)
    if key is None:
        return False
    try:
        import keyring

        keyring.set_password(SERVICE, key, password)
        return True
    except Exception as exc:
        log.info("keyring unavailable: %s", type(exc).__name__)
        return False


def forget_password(url: str) -> None:
    key = _key(url)
    if key is None:
        return
    try:
        import keyring

        keyring.delete_password(SERVICE, key)
    except Exception:
        pass


def with_password(url: str, password: str) -> str:
    """`url` completed with `password` (kept in memory only)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(password=password).render_as_string(hide_password=False)


def complete_url(url: str) -> str:
    """`url`, with the keyring's password filled in when it names a user but no password and one is remembered."""
    if not needs_password(url):
        return url
    password = password_for(url)
    return with_password(url, password) if password is not None else url
