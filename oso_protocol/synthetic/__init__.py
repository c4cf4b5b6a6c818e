"""Deterministic synthetic schools, pupils and attachments (Faker nl_NL, seeded).

The same seed and reference date (today, or $OSO_SIM_REFERENTIEDATUM) always give the same data,
so generated dossiers are byte-identical between runs of one day.
"""
from .common import REFERENTIEDATUM
from .pdf import pdf_bytes
from .pupils import make_leerling, make_population
from .school import make_school, rename_school
from .zorgvraag import make_zorgvraag, random_bijlagen, random_gegevensblokken, toelichting_for

__all__ = [
    "REFERENTIEDATUM", "make_leerling", "make_population", "make_school", "make_zorgvraag", "rename_school",
    "pdf_bytes", "random_bijlagen", "random_gegevensblokken", "toelichting_for",
]
