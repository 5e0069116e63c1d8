"""The PostgreSQL the state tests use is a real server that answers SQL."""

from __future__ import annotations


def test_postgres_answers(postgres_url: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT 1 + 1").fetchone() == (2,)
        version = conn.execute("SHOW server_version").fetchone()
        assert version is not None and int(str(version[0]).split(".")[0]) >= 13
