"""The service under attack: ``mapwright serve`` as a real process on 127.0.0.1, with two
tenants, short script limits and a file root, plus helpers to look at its processes
(``/proc``: its script workers, their state, its peak memory)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from mapwright.api.vault import Vault

#: the documented cap of the service process's peak memory (docs/api.md, Security)
SERVICE_MEMORY_CAP_MB = 400
#: the liveness bound: a trivial lint must answer within this (not a performance target)
LIVENESS_SECONDS = 5.0
SCRIPT_TIMEOUT = 2
WORKER_MEMORY_MB = 256


@dataclass
class Service:
    url: str
    pid: int
    data: Path
    keys: dict[str, dict[str, str]]

    def client(self, timeout: float = 60.0) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=timeout)

    def peak_memory_mb(self) -> float:
        return _status_kb(self.pid, "VmHWM") / 1024

    def workers(self) -> dict[int, str]:
        """Script worker processes (children of the forkserver) with their state letter."""
        table = _processes()
        servers = {
            pid
            for pid, (parent, _) in table.items()
            if parent == self.pid and "forkserver" in _cmdline(pid)
        }
        return {pid: state for pid, (parent, state) in table.items() if parent in servers}


def _processes() -> dict[int, tuple[int, str]]:
    table: dict[int, tuple[int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry)] = (int(fields[1]), fields[0])
    return table


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def _status_kb(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def alive(pid: int) -> bool:
    """A live process (a zombie uses no CPU and counts as gone)."""
    state = _processes().get(pid)
    return state is not None and state[1] != "Z"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_service(data: Path) -> Iterator[Service]:
    """``mapwright serve`` on a free port of 127.0.0.1 with its data in ``data``."""
    files = data / "files"
    (files / "acme").mkdir(parents=True)
    env = {
        **os.environ,
        "MAPWRIGHT_SECRET_KEY": Vault.new_key(),
        "MAPWRIGHT_SCRIPT_TIMEOUT": str(SCRIPT_TIMEOUT),
        "MAPWRIGHT_SCRIPT_WORKERS": "4",
        "MAPWRIGHT_SCRIPT_CONCURRENCY": "2",
        "MAPWRIGHT_SCRIPT_MEMORY_MB": str(WORKER_MEMORY_MB),
        "MAPWRIGHT_FILES_ROOT": str(files),
    }
    command = [sys.executable, "-m", "mapwright"]
    keys = {}
    for tenant in ("acme", "globex"):
        made = subprocess.run(
            [*command, "api", "tenant", tenant, "--data", str(data)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        keys[tenant] = {"Authorization": f"Bearer {made.stdout.strip()}"}
    port = _free_port()
    process = subprocess.Popen(
        [*command, "serve", "--data", str(data), "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"mapwright serve exited with {process.returncode}")
            time.sleep(0.05)
        else:
            raise RuntimeError("mapwright serve did not answer /health")
        yield Service(url, process.pid, data, keys)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
