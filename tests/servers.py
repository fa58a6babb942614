"""The machine's real servers (MariaDB, PostgreSQL, RabbitMQ) for tests that need them.

Each test gets its own database, dropped afterwards. A server that is not reachable is a
loud skip naming the command that starts it, never a silent pass.
"""
from __future__ import annotations

import contextlib
import socket
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

SERVERS = {
    "mysql": ("127.0.0.1", 3306, "mysql+pymysql://root@127.0.0.1:3306",
              "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"),
    "postgresql": ("127.0.0.1", 5432, "postgresql+psycopg://postgres@127.0.0.1:5432",
                   "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"),
    "rabbit": ("127.0.0.1", 5672, "rabbit://guest:guest@127.0.0.1:5672/",
               "rabbitmq-server -detached"),
}


def require(name: str) -> str:
    host, port, url, start = SERVERS[name]
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        pytest.skip(f"SERVER MISSING: {name} is not listening on {host}:{port}; "
                    f"start it with: {start}")
    return url


@contextlib.contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """A new, empty database on the server `name`; its SQLAlchemy URL."""
    base = require(name)
    db_name = "stratus_test_" + uuid.uuid4().hex[:10]
    admin_url = base + ("/postgres" if name == "postgresql" else "/")
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {db_name}"))
    try:
        yield f"{base}/{db_name}"
    finally:
        with engine.connect() as conn:
            if name == "postgresql":
                conn.execute(sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{db_name}'"))
            conn.execute(sa.text(f"DROP DATABASE {db_name}"))
        engine.dispose()


@contextlib.contextmanager
def scratch_vhost() -> Iterator[str]:
    """A new RabbitMQ virtual host for one test; its transport URL."""
    import subprocess
    base = require("rabbit")
    vhost = "stratus-test-" + uuid.uuid4().hex[:10]

    def ctl(*args: str) -> None:
        subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True,
                       timeout=60)
    ctl("add_vhost", vhost)
    try:
        ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield base + vhost
    finally:
        ctl("delete_vhost", vhost)
