"""What both locustfiles share: the run's world, which slice a worker takes, timed steps.

Imported only inside Locust's processes (see __init__.py).
"""
from __future__ import annotations

import itertools
import os
import time
from contextlib import contextmanager

from harness.load.world import World

WORLD_ENV = "OSO_LOAD_WORLD"
WORKERS_ENV = "OSO_LOAD_WORKERS"

_world: World | None = None
_counter = itertools.count(1)


def world() -> World:
    global _world
    if _world is None:
        _world = World.load(os.environ[WORLD_ENV])
    return _world


def worker_count() -> int:
    return max(1, int(os.environ.get(WORKERS_ENV, "1")))


def worker_index(environment) -> int:
    """This process's place among the workers (0 when Locust runs alone)."""
    return int(getattr(environment.runner, "worker_index", 0) or 0) % worker_count()


def take_number(environment) -> int | None:
    """The next exchange number of this process, or None past its share of max_exchanges:
    the run is bounded in count as well as in time."""
    n = next(_counter)
    share = -(-world().max_exchanges // worker_count())
    return n if n <= share else None


class StepFailed(Exception):
    """A step that answered, but not as the protocol wants; Locust counts it as an error."""


@contextmanager
def step(environment, request_type: str, name: str):
    """Time the block as one Locust request; an exception in it is that request's error."""
    started = time.perf_counter()
    exc: Exception | None = None
    try:
        yield
    except Exception as e:  # counted, then raised again so the exchange stops here
        exc = e
        raise
    finally:
        environment.events.request.fire(
            request_type=request_type, name=name, response_time=(time.perf_counter() - started) * 1000,
            response_length=0, exception=exc, context={})


def fail(environment, name: str, message: str) -> None:
    """A correctness finding without a timing of its own."""
    environment.events.request.fire(request_type="CONTROLE", name=name, response_time=0,
                                    response_length=0, exception=StepFailed(message), context={})
