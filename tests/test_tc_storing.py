"""The TC's storing switch with a count: a TC that is down for the next N calls of one operation,
then works again by itself (an SWV under test must try again later)."""
from __future__ import annotations

import pytest

from oso_protocol.transport import codec

import tc_support as T


@pytest.fixture
def tc(tmp_path):
    app = T.make_app(tmp_path)
    yield app.test_client()
    app.extensions["oso_sim_close"]()


def _overdracht_status(tc, k) -> int:
    return tc.post("/oso", data=codec.encode(T.overdracht(k)),
                   headers={"Content-Type": codec.CONTENT_TYPE}).status_code


def test_a_counted_storing_fails_that_many_calls_and_then_ends(tc):
    k = T.soap(tc, T.melden()).koppelsleutel
    assert tc.post("/api/storing", json={"overdracht": 2}).get_json()["overdracht"] == 2
    assert [_overdracht_status(tc, k) for _ in range(3)] == [503, 503, 200]
    assert tc.get("/api/storing").get_json()["overdracht"] is False
    # only the overdracht that went through reached the TC
    assert len(tc.get(f"/api/koppelingen/{k}").get_json()["sessies"]) == 1


def test_a_counted_storing_is_replaced_by_a_later_switch(tc):
    k = T.soap(tc, T.melden()).koppelsleutel
    tc.post("/api/storing", json={"overdracht": 5})
    tc.post("/api/storing", json={"overdracht": False})
    assert _overdracht_status(tc, k) == 200
    tc.post("/api/storing", json={"overdracht": 0})
    assert _overdracht_status(tc, k) == 200


def test_a_count_out_of_range_is_refused(tc):
    for body in ({"overdracht": -1}, {"overdracht": 1001}, {"overdracht": 1.5}):
        assert tc.post("/api/storing", json=body).status_code == 400
    assert not any(tc.get("/api/storing").get_json().values())
