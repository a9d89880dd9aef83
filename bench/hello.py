"""The baseline: a bare Flask "hello" app under exactly the gunicorn settings `mockloop serve` uses.

Run as `python bench/hello.py HOST PORT WORKERS THREADS`; bench/run.py starts and stops it.
"""
import sys

from flask import Flask
from gunicorn.app.base import BaseApplication

from mockloop.serve import gunicorn_options

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"


class HelloServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return app


if __name__ == "__main__":
    host, port, workers, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    HelloServer(gunicorn_options(host, port, workers, threads)).run()
