"""The baseline: a bare Flask "hello" app under exactly the gunicorn settings `mockloop serve` uses.

Run as `python bench/hello.py HOST PORT WORKERS THREADS`; bench/run.py starts and stops it.
"""

import sys

from flask import Flask

from mockloop.serve import GunicornApp, gunicorn_options

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"


if __name__ == "__main__":
    host, port, workers, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    GunicornApp(gunicorn_options(host, port, workers, threads), load=lambda: app).run()
