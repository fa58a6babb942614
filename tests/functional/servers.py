"""The machine's real servers (MariaDB, PostgreSQL, RabbitMQ) for tests that need them,
and servers a test starts for itself (memcached, ZooKeeper, from Debian's packages).

Each test gets its own database, dropped afterwards. A server that is not reachable is a
loud skip naming the command that starts it, never a silent pass.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

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
    # No pool: a test may restart the server in between.
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT",
                              poolclass=sa.pool.NullPool)
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int, process: Any, name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on {port} within {timeout} s")


def _binary(path: str, package: str) -> None:
    if not os.path.exists(path):
        pytest.skip(f"SERVER MISSING: {path} is not installed; install Debian's {package} "
                    f"(make host-packages)")


@contextlib.contextmanager
def memcached() -> Iterator[str]:
    """A memcached of this test's own on a free loopback port; its host:port."""
    _binary("/usr/bin/memcached", "memcached")
    port = _free_port()
    process = subprocess.Popen(["/usr/bin/memcached", "-l", "127.0.0.1", "-p", str(port),
                                "-U", "0", "-u", "root", "-m", "16"])
    try:
        _wait_listening(port, process, "memcached")
        yield f"127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait()


@contextlib.contextmanager
def zookeeper(workdir: str) -> Iterator[str]:
    """A standalone ZooKeeper of this test's own (Debian's package) on a free port."""
    _binary("/usr/share/java/zookeeper.jar", "zookeeper")
    port = _free_port()
    os.makedirs(f"{workdir}/data", exist_ok=True)
    with open(f"{workdir}/zoo.cfg", "w") as f:
        f.write(f"tickTime=500\ndataDir={workdir}/data\nclientPort={port}\n"
                "clientPortAddress=127.0.0.1\nadmin.enableServer=false\n"
                "minSessionTimeout=1000\n")
    with open(f"{workdir}/zookeeper.log", "w") as log:
        process = subprocess.Popen(
            ["java", "-Xmx128m", "-cp", "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar",
             f"-Dzookeeper.log.dir={workdir}", "-Dzookeeper.root.logger=WARN,CONSOLE",
             "org.apache.zookeeper.server.quorum.QuorumPeerMain", f"{workdir}/zoo.cfg"],
            stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_listening(port, process, "zookeeper")
        yield f"127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait()
