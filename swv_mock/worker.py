"""Background fetches: a few threads fed from a queue.

The notificatie handler only queues the koppelsleutel (after its answer went out); the fetch runs
here. The same koppelsleutel is never in the queue twice, and `Ophalen.run` serialises work per
aanvraag, so a queued fetch and an API "ophalen" cannot trip over each other.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Callable

log = logging.getLogger(__name__)

_STOP = object()


class Worker:
    def __init__(self, job: Callable[[str], object], threads: int = 4, name: str = "swv-ophalen"):
        self._job = job
        self._queue: queue.Queue = queue.Queue()
        self._pending: set[str] = set()
        self._guard = threading.Lock()
        self._threads = [threading.Thread(target=self._loop, name=f"{name}-{i}", daemon=True)
                         for i in range(threads)]
        for t in self._threads:
            t.start()

    def submit(self, key: str) -> bool:
        """Queue `key` unless it is already waiting. True when queued."""
        with self._guard:
            if key in self._pending:
                return False
            self._pending.add(key)
        self._queue.put(key)
        return True

    def _loop(self) -> None:
        while True:
            key = self._queue.get()
            if key is _STOP:
                return
            with self._guard:
                # taken off before the job runs: a notificatie arriving during the fetch may queue
                # it again, and the second run then finds the work done
                self._pending.discard(key)
            try:
                self._job(key)
            except Exception:  # one broken aanvraag must not take a worker thread down
                log.exception("background fetch of %s failed", key)

    def stop(self, timeout: float = 5.0) -> None:
        for _ in self._threads:
            self._queue.put(_STOP)
        for t in self._threads:
            t.join(timeout)
