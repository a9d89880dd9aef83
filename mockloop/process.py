"""Child processes that must not outlive `mockloop serve` (Linux's prctl PR_SET_PDEATHSIG)."""

from __future__ import annotations

import ctypes
import os
import sys

PR_SET_PDEATHSIG = 1  # prctl(2)


def die_with_parent(sig: int, parent_pid: int) -> None:
    """Have the kernel send `sig` to this process when its parent dies (and send it now if the
    parent is already gone). Elsewhere than Linux this does nothing; callers keep a slower check."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, sig)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os.kill(os.getpid(), sig)
