"""The Traffic Center's SQLite schema: the register (what the OSR holds) and the exchange state.

Times are epoch seconds (REAL) from the configured clock, so tests can move time forward.
Aanleverpunt URLs are stored as given, placeholders ({las}, {swv}, {tc}) included, and resolved
when read: an actor restarted on other ports keeps a register that points at the right places.
"""
from __future__ import annotations


from actor_kit.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS schools (
    brin TEXT PRIMARY KEY,
    vestigingscode TEXT,
    naam TEXT NOT NULL,
    sector TEXT,
    bestuur TEXT
);
CREATE TABLE IF NOT EXISTS systems (
    id TEXT PRIMARY KEY,
    naam TEXT NOT NULL,
    soort TEXT NOT NULL CHECK (soort IN ('LAS', 'SWV')),
    leverancier TEXT
);
CREATE TABLE IF NOT EXISTS mandates (
    brin TEXT NOT NULL,
    system TEXT NOT NULL,
    dienst TEXT NOT NULL,
    PRIMARY KEY (brin, system, dienst)
);
CREATE TABLE IF NOT EXISTS aanleverpunten (
    routeringskenmerk TEXT PRIMARY KEY,
    brin TEXT NOT NULL,
    system TEXT NOT NULL,
    doel TEXT NOT NULL,
    naam TEXT NOT NULL,
    url TEXT NOT NULL,
    actief INTEGER NOT NULL DEFAULT 1,
    vestigingscode TEXT,
    scholen TEXT NOT NULL DEFAULT '[]'       -- JSON list of BRINs that activated this endpoint
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE IF NOT EXISTS koppelingen (
    koppelsleutel TEXT PRIMARY KEY,          -- upper-case GUID
    bron_brin TEXT NOT NULL,
    bron_routeringskenmerk TEXT NOT NULL,
    doel_brin TEXT NOT NULL,
    doel_routeringskenmerk TEXT NOT NULL,
    doel TEXT NOT NULL,
    created REAL NOT NULL,
    opgehaald INTEGER NOT NULL DEFAULT 0,
    opgehaald_op REAL,
    terugkoppeling_gemeld INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessies (
    sessie_id TEXT PRIMARY KEY,              -- lower-case GUID, as in the wiki example
    koppelsleutel TEXT NOT NULL REFERENCES koppelingen (koppelsleutel),
    bron_brin TEXT NOT NULL,
    bron_routeringskenmerk TEXT NOT NULL,
    doel_brin TEXT NOT NULL,
    doel_routeringskenmerk TEXT NOT NULL,
    overdrachtsoort TEXT NOT NULL,
    created REAL NOT NULL,
    expires REAL NOT NULL,
    gecontroleerd INTEGER NOT NULL DEFAULT 0, -- number of successful sessiecontroles
    laatst_gecontroleerd REAL,
    afgemeld REAL,
    resultaat TEXT
);
CREATE INDEX IF NOT EXISTS sessies_koppelsleutel ON sessies (koppelsleutel);
CREATE TABLE IF NOT EXISTS terugkoppelingen (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    koppelsleutel TEXT NOT NULL REFERENCES koppelingen (koppelsleutel),
    created REAL NOT NULL,
    url TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS terugkoppelingen_koppelsleutel ON terugkoppelingen (koppelsleutel);
"""


TcStore = Store  # the actor's store is the shared one; the name stays for callers
