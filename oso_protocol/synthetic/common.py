"""Seeding and small value makers shared by the synthetic generators.

Everything is derived from a `random.Random`, and Faker is re-seeded from it, so a seed and the
reference date fix the output completely. The reference date is today (or the date in
$OSO_SIM_REFERENTIEDATUM, YYYY-MM-DD), so a pupil's groep, birth date, school career and test
dates fit the current school year the way a teacher reads them.
"""
from __future__ import annotations

import os
import random
import re
import unicodedata
from datetime import date, timedelta
from functools import lru_cache

from faker import Faker


def _referentiedatum() -> date:
    vast = os.environ.get("OSO_SIM_REFERENTIEDATUM")
    return date.fromisoformat(vast) if vast else date.today()


# [choice] synthetic pupils are dated as if the zorgvraag is made today.
REFERENTIEDATUM = _referentiedatum()


def schooljaar_van(dag: date) -> int:
    """The first calendar year of the school year `dag` falls in (it starts on 1 August)."""
    return dag.year if dag.month >= 8 else dag.year - 1


# Longest first, so "van der Laar" splits as "van der" + "Laar", never "van" + "der Laar".
VOORVOEGSELS = ("van den", "van der", "van de", "van 't", "in 't", "op de", "op den", "uit de",
                "van", "de", "den", "der", "ten", "ter", "te", "'t", "la", "le", "du")


def split_achternaam(naam: str) -> tuple[str | None, str]:
    """("van der", "Laar") for "van der Laar": a Dutch surname's voorvoegsel apart, as the
    gegevensset stores it."""
    delen, rest = [], naam.strip()
    while True:  # "van la Fleche": more than one part can lead
        lower = rest.lower()
        v = next((v for v in VOORVOEGSELS
                  if lower.startswith(v + " ") and rest[len(v) + 1:].strip()), None)
        if v is None:
            return (" ".join(delen) or None), rest
        delen.append(v)
        rest = rest[len(v) + 1:].strip()


@lru_cache(maxsize=1)
def _faker() -> Faker:
    # Building a Faker is slow; one shared instance, re-seeded per use, keeps output deterministic.
    return Faker("nl_NL")


def faker_for(rng: random.Random) -> Faker:
    fake = _faker()
    fake.seed_instance(rng.getrandbits(32))
    return fake


def rng_from(seed_or_rng) -> random.Random:
    return seed_or_rng if isinstance(seed_or_rng, random.Random) else random.Random(seed_or_rng)


def ascii_slug(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "", norm.lower()) or "x"


def email_for(rng: random.Random, *parts: str) -> str:
    # Built from plain ASCII so it passes the DUO-style e-mail pattern (OG.01) for any name.
    local = ".".join(ascii_slug(p) for p in parts[:-1]) or "mail"
    domain = ascii_slug(parts[-1]) if len(parts) > 1 else "voorbeeld"
    return f"{local}{rng.randint(1, 99)}@{domain}.nl"


def telefoon(rng: random.Random, *, mobiel: bool = True) -> str:
    prefix = "06" if mobiel else rng.choice(("010", "020", "030", "040", "050", "070"))
    return prefix + "".join(str(rng.randint(0, 9)) for _ in range(10 - len(prefix)))


def days_before(ref: date, rng: random.Random, lo: int, hi: int) -> date:
    return ref - timedelta(days=rng.randint(lo, hi))


def schooljaar_start(year: int) -> date:
    return date(year, 8, 20)
