"""Crash safety: autosaved scratchpads and deadlines survive `kill -9` of the whole server, again and again.

`mockloop serve` runs as real processes (gunicorn web workers and the one scheduler) on a free
127.0.0.1 port, in this test's instance folder, on the test loop. Client threads autosave scratchpads
through the JSON API as the round page does (session cookie from the log-in form, X-CSRFToken, each
save carrying the revision it was written on) while the test SIGKILLs the server's whole process
group, restarts it and repeats, CYCLES times. Checked:

- No acknowledged save is lost. After every kill (nothing running, so nothing can still commit) the
  database holds, per round, a revision at least as new as every save the server acknowledged (200
  with a revision); its text is the acknowledged text of that revision, or an attempt that committed
  just before the kill and never got its answer. After the last restart the clients finish on an
  acknowledged save, and the database holds exactly each round's latest acknowledged text and
  revision.
- Rounds whose deadline passed while the server was down are locked as soon as it is back (the
  scheduler's reconcile step, which runs before the scheduler says it is running), each with exactly
  one expire event, written by the restarted processes.
- No round is ever locked early: every locked round's locked_at and expire event are its deadline
  (start + duration), and the event was recorded at or after it; a round still running has no expire
  event.
- No process outlives the server. Every ORPHAN_EVERY-th kill hits only the serve process, and its
  web workers and scheduler must notice and exit by themselves; at the end nothing of any process
  group the test started is left, nor any scheduler started by one of its serve processes.

The rig (CrashRig, in tests/rig.py) is also what `make soak` (soak/soak.py) runs 100 times over to print figures.
Runs on the suite's engine (SQLite, or PostgreSQL under `make test-postgres`); select the real-process
tests alone with `pytest -m multiprocess`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import TEST_PROMPTS
from tests.rig import CLIENTS, ORPHAN_EVERY, CrashRig

pytestmark = pytest.mark.multiprocess

CYCLES = 10  # `make soak` runs 100; ten kills keep the suite quick, two of them orphan checks


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the server's processes through /proc")
def test_acknowledged_saves_and_deadlines_survive_kill_9(make_app, tmp_path):
    app = make_app(PROMPTS_DIR=str(TEST_PROMPTS))  # this test's own freshly migrated database
    figures = CrashRig(app, tmp_path).run(CYCLES)
    assert figures.cycles == CYCLES
    assert figures.acknowledged >= CYCLES * CLIENTS  # the clients really saved in between the kills
    assert figures.lost == 0
    assert figures.locked_after_restart >= CYCLES  # a kill now and then may come late: not counted
    assert figures.orphan_checks == CYCLES // ORPHAN_EVERY
