"""Seeding and small value makers shared by the synthetic generators.

Everything is derived from a `random.Random`, and Faker is re-seeded from it, so a seed fixes the
output completely. Dates are relative to a fixed reference date, never to today.
"""
from __future__ import annotations

import random
import re
import unicodedata
from datetime import date, timedelta
from functools import lru_cache

from faker import Faker

# [choice] synthetic pupils are dated as if the zorgvraag is made in spring 2024.
REFERENTIEDATUM = date(2024, 3, 1)


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
