"""A guard against hangs, not a speed target (speed lives in tests/benchmarks/).

The attacks these tests replay ran for minutes, ate gigabytes or never ended (a FIFO, /dev/zero, billion laughs, a
stray cell at row 1,048,576). :func:`finishes` runs one in a thread and fails the test if it is still running after
a limit far above any honest run on a slow, busy machine, so a hang is a failure and not a stuck suite.
"""

from __future__ import annotations

import threading

HANG_S = 120


def finishes(fn, seconds: float = HANG_S):
    """fn()'s result, or the exception it raised (returned for the test to look at)."""
    out: list = []

    def run():
        try:
            out.append(fn())
        except Exception as exc:  # noqa: BLE001 - returned for the test to look at
            out.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert out, f"still running after {seconds} s: a hang"
    return out[0]
