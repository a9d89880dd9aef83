"""mockloop's floor for a form post: the real app plus one route that is logged in, CSRF-checked and
does nothing else. Posting the rubric's own body to it measures what every logged-in form post costs
before the view does any work (session, CSRF token, form parsing, loading the user), so the bench can
show how much of the rubric submit's budget that leaves.

Run as `python bench/floor.py HOST PORT WORKERS THREADS` with the bench's MOCKLOOP_INSTANCE_PATH;
bench/run.py starts and stops it.
"""

import sys

from flask_login import login_required

from mockloop import create_app
from mockloop.serve import GunicornApp, gunicorn_options

app = create_app()


@app.post("/bench/floor")
@login_required
def floor():
    return "ok"


if __name__ == "__main__":
    host, port, workers, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    GunicornApp(gunicorn_options(host, port, workers, threads), load=lambda: app).run()
