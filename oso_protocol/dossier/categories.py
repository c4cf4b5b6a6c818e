"""The 16 categories (cat_*), the SWV profile matrix and the ParnasSys gegevensblokken.

Source: oso-dossier.md §3. The normative "Afspraak SWV PaO-profielen" table was not public; the
matrix below is read from the four official examples and backed by the element-level PaO rules
(PaO.VV01-04, PaO.EB01, PaO.VM01-07). [choice: matrix inferred from the examples]
"""
from __future__ import annotations

from dataclasses import dataclass

VERPLICHT = "VERPLICHT"
OPTIONEEL = "OPTIONEEL"
VERBODEN = "VERBODEN"
OPT_UIT = "OPT-UIT"
CATEGORIE_WAARDEN = (VERPLICHT, OPTIONEEL, VERBODEN, OPT_UIT)  # code list 48

POSWV = "POSWV"
VOSWV = "VOSWV"
PROFILES = (POSWV, VOSWV)


@dataclass(frozen=True)
class Categorie:
    element: str          # cat_* element name, in schema order
    rule: str | None      # official OS.cat rule id (None: XSD only, no business rule)
    label: str            # Dutch name as used in the official messages
    # Paths (relative to the dossier root, no namespace prefix) whose presence the rule tests.
    paths: tuple[str, ...]


_L = "huidigeschool/leerling/"

CATEGORIES: tuple[Categorie, ...] = (
    Categorie("cat_metadata", "OS.cat01", "Metadata", ("metadata", "overdrachtsoort")),
    Categorie("cat_ouderinzage", "OS.cat02", "Ouderinzage", ("inzage",)),
    Categorie("cat_school", "OS.cat03", "School", ()),
    Categorie("cat_leerling", "OS.cat04", "Leerling", ()),
    Categorie(
        "cat_oudersverzorgers", "OS.cat05", "Ouders/verzorgers",
        (_L + "verzorgersaansprakelijk", _L + "verzorger", _L + "aansprakelijkeinstelling"),
    ),
    Categorie(
        "cat_vve", "OS.cat06", "VVE",
        (_L + "vanpeuterspeelzaal", _L + "naampeuterspeelzaal", _L + "voorschools", _L + "vroegschools"),
    ),
    Categorie("cat_schoolloopbaan", "OS.cat07", "Schoolloopbaan", (_L + "schoolloopbaanlijst",)),
    Categorie("cat_overstapadvies", "OS.cat08", "Overstapadvies", (_L + "overstapadvies",)),
    Categorie(
        "cat_onderwijsondersteuning", "OS.cat09", "Onderwijsondersteuning",
        tuple(
            _L + "onderwijsondersteuning/" + c
            for c in (
                "toelichting_onderwijsbehoeften", "diagnose", "medicijngebruik", "opp", "tlv",
                "arrangement_cluster12", "arrangement_pao", "lwoo", "rvc",
            )
        ),
    ),
    Categorie("cat_verzuim", "OS.cat10", "Verzuim", (_L + "verzuim",)),
    Categorie("cat_eindtoetsbo", "OS.cat11", "Eindtoets basisonderwijs", (_L + "eindtoets_basisonderwijs",)),
    # The official stylesheet names this rule "OS.cat120" (sic); we report the id it outputs.
    Categorie("cat_toetsresultaten", "OS.cat120", "Toetsresultaten", (_L + "toetslijst",)),
    Categorie(
        "cat_handelingsplannen", "OS.cat13", "Handelingsplannen",
        (_L + "onderwijsondersteuning/handelingsplan",),
    ),
    Categorie("cat_cijferlijsten", "OS.cat14", "Cijferlijsten", (_L + "cijferlijstlijst",)),
    Categorie(
        "cat_vombo", "OS.cat15", "VO-MBO",
        tuple(_L + c for c in ("bevorderd", "examenresultaat", "resultaatvakkenvo", "certificaat",
                               "competenties", "stage", "overigvombo")),
    ),
    Categorie("cat_bijlagedocs", "OS.cat16", "Bijlagedocumenten", (_L + "overigdocumentlijst",)),
)

BY_ELEMENT = {c.element: c for c in CATEGORIES}

_P = {  # POSWV, VOSWV
    "cat_metadata": (VERPLICHT, VERPLICHT),
    "cat_ouderinzage": (OPTIONEEL, OPTIONEEL),
    "cat_school": (VERPLICHT, VERPLICHT),
    "cat_leerling": (VERPLICHT, VERPLICHT),
    "cat_oudersverzorgers": (VERPLICHT, VERPLICHT),
    "cat_vve": (OPTIONEEL, VERBODEN),
    "cat_schoolloopbaan": (VERPLICHT, VERPLICHT),
    "cat_overstapadvies": (OPTIONEEL, OPTIONEEL),
    "cat_onderwijsondersteuning": (VERPLICHT, VERPLICHT),
    "cat_verzuim": (OPTIONEEL, OPTIONEEL),
    "cat_eindtoetsbo": (VERBODEN, OPTIONEEL),
    "cat_toetsresultaten": (OPTIONEEL, OPTIONEEL),
    "cat_handelingsplannen": (OPTIONEEL, OPTIONEEL),
    "cat_cijferlijsten": (OPTIONEEL, OPTIONEEL),
    "cat_vombo": (VERBODEN, OPTIONEEL),
    "cat_bijlagedocs": (OPTIONEEL, OPTIONEEL),
}

PROFILE_MATRIX: dict[str, dict[str, str]] = {
    POSWV: {k: v[0] for k, v in _P.items()},
    VOSWV: {k: v[1] for k, v in _P.items()},
}


def allowed_declarations(profile: str, element: str) -> tuple[str, ...]:
    """Values a dossier of `profile` may declare for category `element`.

    An OPTIONEEL category may be delivered (OPTIONEEL) or opted out (OPT-UIT); VERPLICHT and
    VERBODEN must be declared as such (the opt-out examples keep them unchanged).
    """
    base = PROFILE_MATRIX[profile][element]
    return (OPTIONEEL, OPT_UIT) if base == OPTIONEEL else (base,)


# ParnasSys "Gegevensblokken" checkboxes, as on the seed screen, mapped to categories.
# [choice] "Algemene dossiergegevens" drives cat_metadata (unverified in public sources); the
# categories without a checkbox (ouderinzage, cijferlijsten, bijlagedocs) follow the LAS's own
# inzage/bijlagen steps: bijlagedocs is delivered when extra bijlagen are attached.
GEGEVENSBLOKKEN: dict[str, str] = {
    "Handelingsplannen": "cat_handelingsplannen",
    "School": "cat_school",
    "Schoolloopbaan": "cat_schoolloopbaan",
    "Ouders/Verzorgers": "cat_oudersverzorgers",
    "Verzuim": "cat_verzuim",
    "Toetsresultaten": "cat_toetsresultaten",
    "Algemene dossiergegevens": "cat_metadata",
    "Overstapadvies": "cat_overstapadvies",
    "Leerling": "cat_leerling",
    "VVE": "cat_vve",
    "Onderwijsondersteuning": "cat_onderwijsondersteuning",
}


def gegevensblokken_for(profile: str) -> list[dict]:
    """The checkboxes as the LAS shows them for `profile`: name, category, state.

    state: "verplicht" (ticked and locked), "optioneel" (free), "verboden" (not offered).
    """
    out = []
    for naam, cat in GEGEVENSBLOKKEN.items():
        base = PROFILE_MATRIX[profile][cat]
        state = {VERPLICHT: "verplicht", OPTIONEEL: "optioneel", VERBODEN: "verboden"}[base]
        out.append({"naam": naam, "categorie": cat, "state": state})
    return out
