"""Synthetic schools: a valid BRIN, at least one address and one way to reach them."""
from __future__ import annotations

import random
import string

from faker import Faker

from ..dossier.model import Adres, Communicatie, School
from .common import email_for, faker_for, telefoon

_NAMEN = ("De Regenboog", "De Wilgenhoek", "Het Kompas", "De Zonnewijzer", "'t Klavertje",
          "De Vlinder", "Het Mozaïek", "De Springplank", "Sint Jozef", "De Fontein")
_VO_NAMEN = ("Het Baken College", "Stedelijk Lyceum", "Het Erasmus", "De Nieuwe Havo",
             "Christelijk College Groevenbeek")


def brincode(rng: random.Random) -> str:
    return f"{rng.randint(0, 99):02d}{rng.choice(string.ascii_uppercase)}{rng.choice(string.ascii_uppercase)}"


def make_school(seed: int | random.Random = 0, profile: str = "POSWV", fake: Faker | None = None) -> School:
    rng = seed if isinstance(seed, random.Random) else random.Random(f"school:{seed}")
    fake = fake or faker_for(rng)
    vo = profile == "VOSWV"
    naam = rng.choice(_VO_NAMEN if vo else _NAMEN)
    plaats = fake.city()
    slug = "".join(c for c in naam.lower() if c.isalnum()) or "school"
    return School(
        naam=f"{'' if vo else 'Basisschool '}{naam}",
        brincode=brincode(rng),
        vestigingscode=f"{rng.randint(0, 3):02d}",
        aanleverpunt=str(rng.randint(1, 99)),
        adressen=[Adres(soortadres="bezoek", straat=fake.street_name(), nummer=str(rng.randint(1, 250)),
                        postcode=fake.postcode().replace(" ", ""), plaats=plaats, gemeente=plaats)],
        communicatie=[
            Communicatie(soort="telefoon", nummer=telefoon(rng, mobiel=False), aanduiding="werk"),
            Communicatie(soort="e-mail", nummer=email_for(rng, "info", slug), aanduiding="werk"),
        ],
        soort="VO" if vo else "BAO",
        naamdirecteur=fake.name(),
        website=f"https://www.{slug}.nl",
    )
