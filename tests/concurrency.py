"""Two writes at once, each in a thread and a transaction of its own."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from django.db import connection, transaction

from annotations import editing


def twice_at_once[T](lock: Callable[[], T], write: Callable[[T], object]) -> list[str]:
    """``write(lock())`` in two threads at once: "done" or "already"
    (editing.AlreadyDone) for each, sorted.

    Without the lock both threads pass the barrier together and both find
    the work undone. With it, the second waits in ``lock`` until the first
    has committed (the barrier gives up after a second).
    """
    together = threading.Barrier(2, timeout=1)
    outcomes = []

    def run() -> None:
        try:
            with transaction.atomic():
                locked = lock()
                with contextlib.suppress(threading.BrokenBarrierError):
                    together.wait()
                write(locked)
            outcomes.append("done")
        except editing.AlreadyDone:
            outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)
