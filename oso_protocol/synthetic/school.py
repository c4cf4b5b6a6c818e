"""Synthetic schools: a valid BRIN, at least one address and one way to reach them."""
from __future__ import annotations

import random
import string

from faker import Faker

from ..dossier.model import Adres, Communicatie, School
from .common import ascii_slug, faker_for, telefoon

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
    school = School(
        naam=f"{'' if vo else 'Basisschool '}{naam}",
        brincode=brincode(rng),
        vestigingscode=f"{rng.randint(0, 3):02d}",
        aanleverpunt=str(rng.randint(1, 99)),
        adressen=[Adres(soortadres="bezoek", straat=fake.street_name(), nummer=str(rng.randint(1, 250)),
                        postcode=fake.postcode().replace(" ", ""), plaats=plaats, gemeente=plaats)],
        communicatie=[
            Communicatie(soort="telefoon", nummer=telefoon(rng, mobiel=False), aanduiding="werk"),
        ],
        soort="VO" if vo else "BAO",
        naamdirecteur=fake.name(),
    )
    return rename_school(school, school.naam)


def domein(naam: str) -> str:
    """The school's own domain, from its name: "OBS De Vlinder" -> "obsdevlinder.nl"."""
    return f"{ascii_slug(naam)}.nl"


def rename_school(school: School, naam: str) -> School:
    """Give the school `naam`, with the website and e-mail address that go with that name."""
    school.naam = naam
    school.website = f"https://www.{domein(naam)}"
    school.communicatie = [c for c in school.communicatie if c.soort != "e-mail"]
    school.communicatie.append(Communicatie(soort="e-mail", nummer=f"info@{domein(naam)}",
                                            aanduiding="werk"))
    return school
