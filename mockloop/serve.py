"""`mockloop serve`: gunicorn (threaded workers) in front of the app, plus the one scheduler process."""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys

from gunicorn.app.base import BaseApplication

from . import create_app


class GunicornApp(BaseApplication):
    """gunicorn run from Python with our options; `load` builds the WSGI app in each worker."""

    def __init__(self, options: dict, load=create_app):
        self.options, self._load = options, load
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Each worker builds its own app after the fork, so no database connection crosses it.
        return self._load()


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "keepalive": 30,  # browsers poll the round state; keep their connections open
        "control_socket_disable": True,  # one shared path in ~/.gunicorn would clash between instances
        "accesslog": None,
        "errorlog": "-",
        "post_fork": stop_with_arbiter,
        "when_ready": lambda server: print(f"mockloop is serving on http://{host}:{port}", flush=True),
    }


def run(host: str, port: int, workers: int = 1, threads: int = 4) -> None:
    # The scheduler gets a process of its own: however many web workers gunicorn forks, there is
    # exactly one, and it never shares a thread with request handling.
    scheduler = subprocess.Popen([sys.executable, "-m", "mockloop", "scheduler", "--parent-pid", str(os.getpid())])
    try:
        GunicornApp(gunicorn_options(host, port, workers, threads)).run()
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=10)
