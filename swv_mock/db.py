"""The SWV system's own tables. One row per aanvraag (keyed by koppelsleutel), one per terugkoppeling.

Every column the fetch needs to resume after a crash is here: the session and LAS url from the
overdracht, the dossier and its report, and the afmelding result decided before it is sent.
"""
from __future__ import annotations


from actor_kit.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS aanvraag (
    koppelsleutel TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    bron_brin TEXT NOT NULL,
    bron_routeringskenmerk TEXT NOT NULL,
    doel_brin TEXT NOT NULL,
    doel_routeringskenmerk TEXT NOT NULL,
    ontvangen_op TEXT NOT NULL,
    bijgewerkt_op TEXT NOT NULL,
    sessie_id TEXT,
    las_url TEXT,
    las_routeringskenmerk TEXT,
    dossier BLOB,
    dossier_versie TEXT,
    opgehaald_op TEXT,
    rapport TEXT,
    valid INTEGER,
    profile TEXT,
    afmelding_resultaat TEXT,
    afgemeld_op TEXT,
    afmelding_fout TEXT,
    fout TEXT,
    fout_code TEXT,
    pogingen INTEGER NOT NULL DEFAULT 0,
    sessie_op TEXT,
    las_fout_sinds TEXT
);
CREATE INDEX IF NOT EXISTS aanvraag_status ON aanvraag (status);

CREATE TABLE IF NOT EXISTS terugkoppeling (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    koppelsleutel TEXT NOT NULL REFERENCES aanvraag (koppelsleutel),
    status TEXT NOT NULL,
    datum TEXT NOT NULL,
    toelichting TEXT,
    behandelaar TEXT,
    documenten TEXT NOT NULL DEFAULT '[]',
    verzendstatus TEXT NOT NULL,
    las_url TEXT,
    resultaat TEXT,
    fout TEXT,
    fout_code TEXT,
    aangemaakt_op TEXT NOT NULL,
    verzonden_op TEXT
);
CREATE INDEX IF NOT EXISTS terugkoppeling_koppelsleutel ON terugkoppeling (koppelsleutel);
"""


# columns added after the first release: a database file written before them gets them here
_ADDED_COLUMNS = (("aanvraag", "sessie_op", "TEXT"), ("aanvraag", "las_fout_sinds", "TEXT"))


class SwvStore(Store):
    def __init__(self, path, schema_sql: str):
        super().__init__(path, schema_sql)
        with self.tx() as conn:
            for table, column, kind in _ADDED_COLUMNS:
                have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
                if column not in have:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
