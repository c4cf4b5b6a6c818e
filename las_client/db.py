"""The LAS database: schools, pupils, zorgvragen with their bijlagen and terugkoppelingen.

Pupils and schools are kept as JSON documents (the model's to_dict) so that a change of the model
never needs a migration here; the zorgvraag keeps its own columns because its state machine and
the inbound SOAP checks query them.
"""
from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE IF NOT EXISTS scholen (
    brin TEXT PRIMARY KEY,
    vestigingscode TEXT NOT NULL,
    naam TEXT NOT NULL,
    routeringskenmerk TEXT NOT NULL,
    profile TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS leerlingen (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    brin TEXT NOT NULL REFERENCES scholen (brin),
    data TEXT NOT NULL,
    gewijzigd_op TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS leerlingen_brin ON leerlingen (brin);
CREATE TABLE IF NOT EXISTS zorgvragen (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    leerling_id INTEGER NOT NULL REFERENCES leerlingen (id),
    omschrijving TEXT NOT NULL DEFAULT '',
    aandachtspunten TEXT,
    aanleverpunt TEXT,               -- routeringskenmerk of the chosen SWV aanleverpunt
    aanleverpunt_brin TEXT,          -- learnt from overzichtAanleverpunt
    aanleverpunt_naam TEXT,
    gegevensblokken TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('concept', 'verzonden', 'verwijderd')),
    status_voor_verwijderen TEXT,
    gemaakt_op TEXT NOT NULL,
    verzonden_op TEXT,
    verwijderd_op TEXT,
    bron_brin TEXT,
    bron_routeringskenmerk TEXT,
    koppelsleutel TEXT UNIQUE COLLATE NOCASE,  -- GUIDs arrive in either case
    swv_url TEXT,
    notificatie_verstuurd INTEGER NOT NULL DEFAULT 0,
    dossier_opgehaald INTEGER NOT NULL DEFAULT 0,
    dossier_opgehaald_op TEXT,
    laatste_fout TEXT,
    laatste_fout_code TEXT,
    dossier BLOB                     -- the snapshot taken at send time, served byte for byte
);
CREATE INDEX IF NOT EXISTS zorgvragen_leerling ON zorgvragen (leerling_id);
CREATE TABLE IF NOT EXISTS bijlagen (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    zorgvraag_id INTEGER NOT NULL REFERENCES zorgvragen (id),
    soort TEXT NOT NULL CHECK (soort IN ('toelichting', 'bijlage')),
    bestandsnaam TEXT NOT NULL,
    omschrijving TEXT,
    mime TEXT,
    inhoud BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS bijlagen_zorgvraag ON bijlagen (zorgvraag_id);
CREATE TABLE IF NOT EXISTS terugkoppelingen (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    zorgvraag_id INTEGER NOT NULL REFERENCES zorgvragen (id),
    ontvangen_op TEXT NOT NULL,
    status TEXT NOT NULL,
    datum TEXT NOT NULL,
    toelichting TEXT,
    behandelaar TEXT,
    documenten TEXT NOT NULL DEFAULT '[]',
    bron_brin TEXT, bron_routeringskenmerk TEXT,
    doel_brin TEXT, doel_routeringskenmerk TEXT
);
CREATE INDEX IF NOT EXISTS terugkoppelingen_zorgvraag ON terugkoppelingen (zorgvraag_id);
-- Files of a "Nieuwe zorgvraag" form that was refused, so the user need not choose them again;
-- the web pages drop them once used or after a day.
CREATE TABLE IF NOT EXISTS formulierbestanden (
    token TEXT PRIMARY KEY,
    leerling_id INTEGER NOT NULL,
    bestandsnaam TEXT NOT NULL,
    inhoud BLOB NOT NULL,
    bewaard_op TEXT NOT NULL
);
"""

