"""``warroom serve --workers N``: N API processes sharing one port through SO_REUSEPORT.

Each worker has its own listening socket bound with SO_REUSEPORT, so the kernel spreads new
connections evenly across the workers. (A single shared socket, as uvicorn's own ``--workers``
uses, lets whichever worker wakes first accept a whole burst of connections: under load one
worker did all the work while the other idled.) This process binds every socket before any
worker starts, so connections made while a worker is still starting wait in its own backlog
rather than all landing on the first worker up, and keeps them, so a worker that dies is
restarted on the same socket. It stops them all on SIGINT or SIGTERM. Workers build the
application from the WARROOM_* environment (``warroom.api.app.app_from_environment``).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess

import uvicorn

RESTART_PAUSE = 1.0
PR_SET_PDEATHSIG = 1


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound with SO_REUSEPORT, listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _die_with_parent() -> None:
    """Linux: SIGTERM this worker when the supervisor dies, even by SIGKILL (no orphans left
    serving a port nobody supervises)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the supervisor's own shutdown still works
        pass


def _worker(sock: socket.socket, log_level: str, parent: int) -> None:
    from warroom.api.app import app_from_environment

    _die_with_parent()
    if os.getppid() != parent:  # the supervisor died before we could ask
        return

    config = uvicorn.Config(app_from_environment(), log_level=log_level)
    uvicorn.Server(config).run(sockets=[sock])


def run(host: str, port: int, workers: int, log_level: str) -> None:
    """Run ``workers`` API processes until SIGINT or SIGTERM."""
    sockets = [listening_socket(host, port) for _ in range(workers)]
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start(i: int) -> BaseProcess:
        process = context.Process(
            target=_worker,
            args=(sockets[i], log_level, os.getpid()),
            name=f"warroom-api-{i}",
            daemon=False,
        )
        process.start()
        return process

    def stop(_signum: int, _frame: object) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes = [start(i) for i in range(workers)]
    try:
        while not stopping.wait(0.5):
            for i, process in enumerate(processes):
                if not process.is_alive() and not stopping.is_set():
                    time.sleep(RESTART_PAUSE)  # a worker failing at start must not spin
                    processes[i] = start(i)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # uvicorn finishes in-flight requests on SIGTERM
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        for sock in sockets:
            sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
