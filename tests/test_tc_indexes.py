"""The TC's look-ups per SOAP call and per koppeling find their rows through a key or an index,
never by reading a table that grows with every exchange."""
from __future__ import annotations

import pytest

from oso_mock.db import SCHEMA
from actor_kit.messagelog import SCHEMA as LOG_SCHEMA
from actor_kit.store import Store

QUERIES = [
    "SELECT * FROM koppelingen WHERE koppelsleutel = ?",
    "SELECT * FROM sessies WHERE sessie_id = ?",
    "SELECT * FROM sessies WHERE koppelsleutel = ? ORDER BY created",
    "SELECT COUNT(*) FROM terugkoppelingen WHERE koppelsleutel = ?",
    "UPDATE sessies SET afgemeld = ?, resultaat = ? WHERE sessie_id = ?",
    "UPDATE koppelingen SET terugkoppeling_gemeld = 1 WHERE koppelsleutel = ?",
    "SELECT * FROM aanleverpunten WHERE routeringskenmerk = ?",
    "SELECT 1 FROM mandates WHERE brin = ? AND system = ? AND dienst = ?",
    "SELECT * FROM systems WHERE id = ?",
    "SELECT * FROM schools WHERE brin = ?",
    "SELECT id FROM message_log WHERE koppelsleutel = ? AND id > ? ORDER BY id LIMIT ?",
]


@pytest.mark.parametrize("sql", QUERIES)
def test_hot_lookup_uses_a_key_or_an_index(tmp_path, sql):
    store = Store(tmp_path / "tc.sqlite", SCHEMA)
    store.conn().executescript(LOG_SCHEMA)
    params = tuple("x" if i else 1 for i in range(sql.count("?")))
    plan = " | ".join(r["detail"] for r in store.query(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "SCAN" not in plan.replace("SCAN CONSTANT ROW", ""), plan
    store.close()
