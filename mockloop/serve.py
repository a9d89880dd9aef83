"""`mockloop serve`: gunicorn (threaded workers) in front of the app, plus the one scheduler process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from gunicorn.app.base import BaseApplication

from mockloop import create_app
from mockloop.process import die_with_parent


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
        return close_after_refused_bodies(self._load())


def close_after_refused_bodies(app):
    """WSGI wrapper: an error answer to a request that carries a body closes the connection.

    The app may not have read that body (a 413 never does), and gunicorn drains only 64 KiB of it
    before reusing the connection: past that it closed the socket after announcing keep-alive, so
    the client's next request on it failed ("Remote end closed connection without response").
    An app may not set the hop-by-hop Connection header itself (PEP 3333; gunicorn drops it), so
    this asks gunicorn's response object to close, which also makes it say "Connection: close".
    """

    def wrapped(environ, start_response):
        has_body = (
            environ.get("CONTENT_LENGTH", "") not in ("", "0")
            or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        )

        def start(status, headers, exc_info=None):
            if has_body and status[:1] in ("4", "5"):
                force_close = getattr(getattr(start_response, "__self__", None), "force_close", None)
                if force_close is not None:
                    force_close()
            return start_response(status, headers, exc_info)

        return app(environ, start if has_body else start_response)

    return wrapped


def stop_with_arbiter(server, worker) -> None:
    """gunicorn post_fork hook: the worker gets SIGTERM (its graceful stop) as soon as serve dies.

    gunicorn's own check of its parent only stops accepting: a worker whose kept-alive connections
    stay busy (every open round page polls) went on serving, and holding the port, for the whole
    30 s graceful timeout, so restarting after a crash of serve failed with "Address already in use".
    """
    die_with_parent(signal.SIGTERM, worker.ppid)


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
