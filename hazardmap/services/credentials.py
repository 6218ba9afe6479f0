"""A server password is never written to a file: it is kept in the operating system's keyring
(Windows Credential Manager, the Secret Service on Linux) through `keyring`, or asked each time."""
from __future__ import annotations

SERVICE = "hazardmap-postgresql"


def _account(url: str) -> str:
    """user@host:port/dbname (the password is never part of it)."""
    from hazardmap.storage.pg.db import display_url

    return display_url(url)


def saved_password(url: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(SERVICE, _account(url))
    except Exception:  # no keyring on this system: asked each time instead
        return None


def save_password(url: str, password: str) -> bool:
    """True if the keyring took it; False when the system has none (the window then asks each time)."""
    try:
        import keyring

        keyring.set_password(SERVICE, _account(url), password)
        return True
    except Exception:
        return False


def forget_password(url: str) -> None:
    try:
        import keyring

        keyring.delete_password(SERVICE, _account(url))
    except Exception:
        pass
