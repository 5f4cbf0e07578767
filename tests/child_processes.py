"""Child processes of the test run end with it, even when pytest itself is killed.

A `tradeql worker` or `tradeql serve` started by a test and orphaned by a killed pytest would
otherwise keep polling (and holding connections to) a test database. On Linux the child asks
the kernel for SIGTERM when its parent exits (PR_SET_PDEATHSIG); elsewhere nothing changes.
"""

from __future__ import annotations

import ctypes
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def _terminate_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def ends_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` for subprocess.Popen, or None where the kernel offers none."""
    return _terminate_with_parent if sys.platform.startswith("linux") else None
