"""The school's choices on the zorgvraag screen: gegevensblokken, attachments, aandachtspunten."""
from __future__ import annotations

import random

from ..dossier.categories import GEGEVENSBLOKKEN, OPTIONEEL, PROFILE_MATRIX, VERPLICHT
from ..dossier.model import Attachment, Leerling
from .pdf import pdf_bytes

# Categories without a ParnasSys checkbox that a caller may still name directly.
_EXTRA_OPTIONEEL = ("cat_ouderinzage", "cat_cijferlijsten", "cat_eindtoetsbo", "cat_vombo")

AANDACHTSPUNTEN = (
    "Leerling heeft moeite met plannen en overzicht; korte instructies werken goed.",
    "Graag contact met moeder over de thuissituatie vóór het intakegesprek.",
    "Prikkelgevoelig: rustige werkplek gewenst. Let op \"drukke\" overgangsmomenten & pauzes.",
    "Spreekt thuis Turks en Nederlands; tolk niet nodig.",
)


def random_gegevensblokken(rng: random.Random, profile: str) -> list[str]:
    """Ticked checkboxes: the locked VERPLICHT ones plus a random subset of the free ones."""
    matrix = PROFILE_MATRIX[profile]
    out = []
    for naam, cat in GEGEVENSBLOKKEN.items():
        base = matrix[cat]
        if base == VERPLICHT or (base == OPTIONEEL and rng.random() < 0.6):
            out.append(naam)
    out += [cat for cat in _EXTRA_OPTIONEEL if matrix[cat] == OPTIONEEL and rng.random() < 0.5]
    return out


def toelichting_for(leerling: Leerling) -> Attachment:
    naam = leerling.weergavenaam
    return Attachment(
        bestandsnaam="Toelichting_onderwijsbehoeften.pdf",
        content=pdf_bytes(f"Toelichting onderwijsbehoeften - {naam}", [
            "Onderwijsbehoeften: instructie in kleine stappen, extra oefentijd.",
            "Wat is al geprobeerd: handelingsplan rekenen, verlengde instructie.",
            "Vraag aan het samenwerkingsverband: advies en arrangement.",
        ]),
        omschrijving="Toelichting onderwijsbehoeften",
    )


def random_bijlagen(rng: random.Random, leerling: Leerling) -> list[Attachment]:
    out = []
    for i in range(rng.choice((0, 0, 1, 2))):
        if rng.random() < 0.5:
            out.append(Attachment(f"Verslag_gesprek_{i + 1}.pdf",
                                  pdf_bytes(f"Verslag gesprek {i + 1}", [f"Leerling: {leerling.weergavenaam}"]),
                                  omschrijving="Gespreksverslag"))
        else:
            out.append(Attachment(f"Notitie_{i + 1}.txt", f"Notitie {i + 1} over {leerling.weergavenaam}\n".encode(),
                                  omschrijving="Notitie", mime="text/plain"))
    return out


def make_zorgvraag(rng: random.Random, leerling: Leerling, profile: str) -> dict:
    """Keyword arguments for build_dossier, apart from leerling and school."""
    return {
        "profile": profile,
        "gegevensblokken": random_gegevensblokken(rng, profile),
        "toelichting": toelichting_for(leerling),
        "bijlagen": random_bijlagen(rng, leerling),
        "aandachtspunten": rng.choice((None, *AANDACHTSPUNTEN)),
    }
