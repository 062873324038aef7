"""Scratch PostgreSQL databases for the benchmarks: made when missing, so `make bench` needs no setup."""

from __future__ import annotations


def ensure_database(database_url: str) -> None:
    """Creates the database a postgres:// URL names if it does not exist yet; SQLite files make themselves."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def fresh_database(database_url: str) -> None:
    """Drops and re-creates the database a postgres:// URL names, so a run never meets an earlier run's rows."""
    if not database_url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
