"""The app's server as a child process, for the tests and the benches.

``start`` runs ``streamlit run panjmap/server.py`` on a free loopback port from the
repository root (its .streamlit/config.toml applies) and returns once the server's
health check answers, i.e. once it has warmed itself and serves.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from typing import IO

from panjmap.paths import ROOT, SERVER_SCRIPT


def free_port() -> int:
    """A loopback port free right now (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(env: Mapping[str, str] | None = None, log: IO[str] | int = subprocess.DEVNULL, extra: Sequence[str] = (),
          timeout_s: float = 60.0) -> tuple[subprocess.Popen, str]:
    """The server process and its ``http://127.0.0.1:PORT`` URL, once it answers its health check.

    ``env``: the whole environment (default: this process's); ``extra``: more ``streamlit run``
    options. Raises RuntimeError, the process stopped, when it exits or does not answer in time.
    """
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(SERVER_SCRIPT), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", *extra],
        cwd=ROOT, env=None if env is None else dict(env), stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop(proc)
                where = f"; see {log.name}" if hasattr(log, "name") else ""
                raise RuntimeError(f"streamlit did not start{where}") from None
            time.sleep(0.2)


def stop(proc: subprocess.Popen, timeout_s: float = 15.0) -> None:
    """Terminate the server, killing it if it does not exit in time."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
