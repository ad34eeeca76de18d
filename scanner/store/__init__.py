"""Scan history for scheduled scans: every stored scan and its findings, in SQLite (standard
library) or PostgreSQL (psycopg 3, imported only for a postgresql:// URL).

    open_store("sqlite:///var/lib/mlposture/history.db")
    open_store("postgresql://user:pass@db:5432/mlposture")
    open_store(None)  # SQLite under platformdirs.user_data_dir("mlposture")
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from scanner.store.base import Store, StoreError

__all__ = ["Store", "StoreError", "default_url", "open_store", "check_url"]

SCHEMES = ("sqlite", "postgresql", "postgres")


def default_url() -> str:
    from platformdirs import user_data_dir

    return "sqlite:///" + str(Path(user_data_dir("mlposture")) / "history.db")


def check_url(url: str | None) -> str:
    """The store URL to use, checked without connecting; raises StoreError for a bad one.
    None or "" is the default store; a value without a scheme is a SQLite file path."""
    if not url:
        return default_url()
    if "://" not in url:
        return "sqlite:///" + str(Path(url).expanduser().resolve())
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        raise StoreError(
            f"unsupported store URL scheme {scheme!r}: use sqlite:///PATH or postgresql://USER@HOST/DB"
        )
    if scheme == "sqlite" and not _sqlite_path(url):
        raise StoreError(f"store URL {_safe(url)} names no file: use sqlite:///PATH")
    return url


def _sqlite_path(url: str) -> str:
    # sqlite:///relative/or/absolute (SQLAlchemy style: sqlite:////abs also works)
    rest = url.split("://", 1)[1]
    return rest[1:] if rest.startswith("/") else rest


def _safe(url: str) -> str:
    """A URL for messages: the password never appears."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def open_store(url: str | None) -> Store:
    """Connect to a history store and bring its schema up to date (migrations)."""
    url = check_url(url)
    scheme = urlsplit(url).scheme.lower()
    if scheme == "sqlite":
        from scanner.store.sqlite import SQLiteStore

        store: Store = SQLiteStore(_sqlite_path(url))
    else:
        from scanner.store.postgres import PostgresStore

        store = PostgresStore(url, display=_safe(url))
    try:
        store.migrate()
    except StoreError:
        store.close()
        raise
    except Exception as e:
        store.close()
        raise StoreError(f"cannot prepare the history store {_safe(url)}: {e}") from e
    return store
