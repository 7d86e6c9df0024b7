"""A server's password never shows: masked in every message; remembered only by a working keyring."""

from __future__ import annotations

import pytest

from oldcomm_desktop.core.errors import ServerUnreachable
from oldcomm_desktop.storage import secrets
from oldcomm_desktop.storage.database import open_database

SECRET = "S3cr3t-pw"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://clerk:{SECRET}@10.0.0.5:5432/ledger",
        f"postgresql://clerk:{SECRET}@host/db?sslmode=require",
    ],
)
def test_mask_url_hides_the_password_and_keeps_the_rest(url: str) -> None:
    shown = secrets.mask_url(url)
    assert SECRET not in shown and "clerk" in shown and "***" in shown


def test_mask_text_hides_urls_inside_free_text() -> None:
    text = f"could not connect to postgresql+psycopg://clerk:{SECRET}@h/db: refused"
    assert SECRET not in secrets.mask_text(text)


def test_an_unreachable_server_error_never_carries_the_password() -> None:
    with pytest.raises(ServerUnreachable) as info:
        open_database(f"postgresql+psycopg://clerk:{SECRET}@127.0.0.1:1/ledger")
    assert SECRET not in str(info.value) and "127.0.0.1" in str(info.value)


class _BrokenKeyring:
    def get_password(self, *_a: object) -> str:
        raise RuntimeError("no secret service")

    def set_password(self, *_a: object) -> None:
        raise RuntimeError("no secret service")


class _MemoryKeyring:
    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.store.get((service, user))

    def set_password(self, service: str, user: str, pw: str) -> None:
        self.store[(service, user)] = pw


def test_a_failing_keyring_means_nothing_remembered_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    monkeypatch.setattr(keyring, "get_password", _BrokenKeyring().get_password)
    monkeypatch.setattr(keyring, "set_password", _BrokenKeyring().set_password)
    url = "postgresql+psycopg://clerk@h/db"
    assert secrets.password_for(url) is None
    assert secrets.remember_password(url, "x") is False
    assert secrets.complete_url(url) == url


def test_a_remembered_password_completes_the_url_and_is_keyed_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    ring = _MemoryKeyring()
    monkeypatch.setattr(keyring, "get_password", ring.get_password)
    monkeypatch.setattr(keyring, "set_password", ring.set_password)
    url = "postgresql+psycopg://clerk@h:5432/db"
    assert secrets.needs_password(url)
    assert secrets.remember_password(url, SECRET)
    assert all(SECRET not in key for _service, key in ring.store)
    completed = secrets.complete_url(url)
    assert not secrets.needs_password(completed) and SECRET not in secrets.mask_url(completed)
