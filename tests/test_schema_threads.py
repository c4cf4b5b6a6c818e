"""Compiled schemas under threads: the actors decode and validate in their request threads.

Two threads that compile the same XSD at the same moment, or read one schema's error log, must
each get their own answer: a load run once lost every notificatie of a run to a schema that two
request threads compiled at once ("Document is not valid XML Schema").
"""
from __future__ import annotations

import threading

from oso_protocol import schema_cache
from oso_protocol.dossier import xsd_layer
from oso_protocol.transport import codec, decode, encode
from oso_protocol.transport import messages as m
from oso_protocol.transport.faults import OsoFault

THREADS = 16


def _in_threads(work) -> list:
    """`work(i)` in THREADS fresh threads started together; what each returned or raised."""
    barrier, results = threading.Barrier(THREADS), [None] * THREADS

    def run(i):
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:   # noqa: BLE001 - the test reports what each thread met
            results[i] = exc
    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_each_thread_compiles_its_own_schema_once():
    schemas = _in_threads(lambda i: (codec.message_schema(), codec.message_schema()))
    assert all(a is b for a, b in schemas)                 # once per thread
    assert len({id(a) for a, _ in schemas}) == THREADS     # never shared between threads
    dossiers = _in_threads(lambda i: xsd_layer.dossier_schema())
    assert len({id(s) for s in dossiers}) == THREADS


def test_threads_decoding_at_once_each_get_their_own_verdict():
    good = encode(m.OverzichtAanleverpuntRequest(brin="12SS", doel="SWV"))

    def work(i):
        if i % 2 == 0:
            return type(decode(good)).__name__
        # a brin of the wrong shape: the schema refuses it, and names this thread's value
        bad = good.replace(b"12SS", f"X{i:03d}Y".encode())
        try:
            decode(bad)
        except OsoFault as fault:
            return fault.omschrijving
        return "aangenomen"
    results = _in_threads(work)
    for i, result in enumerate(results):
        if i % 2 == 0:
            assert result == "OverzichtAanleverpuntRequest", result
        else:
            assert isinstance(result, str) and f"X{i:03d}Y" in result, result


def test_the_cache_is_keyed_per_schema():
    calls = []
    first = schema_cache.per_thread(("test", 1), lambda: calls.append(1) or codec.schema_text().encode())
    again = schema_cache.per_thread(("test", 1), lambda: calls.append(2) or b"<niet-gebruikt/>")
    assert first is again and calls == [1]
