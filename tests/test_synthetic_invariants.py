"""What a Dutch teacher would notice in synthetic data, checked on a few thousand pupils:
name parts split (no "van van der Laar"), school website and e-mail from the school's own name,
diagnosis codes matching their names, groep/klas, age, school career and advice fitting the
current school year, and the same seed giving the same pupils."""
from __future__ import annotations

import random
from datetime import date

import pytest

from oso_protocol.synthetic import (
    REFERENTIEDATUM,
    make_leerling,
    make_school,
    rename_school,
)
from oso_protocol.synthetic.common import schooljaar_van, split_achternaam
from oso_protocol.synthetic.pupils import DIAGNOSENAMEN

N = 1500  # per profile
HUIDIG = schooljaar_van(REFERENTIEDATUM)
DIAGNOSE_NAMEN = {"F90.0": "ADHD", "F84.0": "Autisme", "F81.0": "Dyslexie", "F81.2": "Dyscalculie"}


def population(profile: str):
    rng = random.Random(f"invarianten:{profile}")
    school = make_school(rng, profile)
    return school, [make_leerling(rng, profile, school=school) for _ in range(N)]


@pytest.fixture(scope="module", params=["POSWV", "VOSWV"])
def pupils(request):
    return request.param, *population(request.param)


def _no_prefix_in(achternaam: str) -> bool:
    return split_achternaam(achternaam)[0] is None


def test_name_parts_are_split_and_never_doubled(pupils):
    _, _, lln = pupils
    for ll in lln:
        for persoon in [ll, *ll.verzorgers]:
            assert _no_prefix_in(persoon.achternaam), persoon.achternaam
            if persoon.voorvoegsel:
                assert persoon.voorvoegsel == persoon.voorvoegsel.lower()
                assert split_achternaam(f"{persoon.voorvoegsel} X") == (persoon.voorvoegsel, "X")
                volledig = f"{persoon.voorvoegsel} {persoon.achternaam}"
                assert not volledig.lower().startswith(f"{persoon.voorvoegsel} {persoon.voorvoegsel} ")


@pytest.mark.parametrize("naam, parts", [
    ("van der Laar", ("van der", "Laar")), ("de Vries", ("de", "Vries")), ("Jansen", (None, "Jansen")),
    ("van den Berg", ("van den", "Berg")), ("Vandersteen", (None, "Vandersteen")),
    ("van la Fleche", ("van la", "Fleche")),
])
def test_split_achternaam(naam, parts):
    assert split_achternaam(naam) == parts


def test_school_website_and_email_come_from_its_own_name():
    for seed in range(50):
        for profile in ("POSWV", "VOSWV"):
            school = make_school(seed, profile)
            rename_school(school, "OBS De Regenboog")
            assert school.website == "https://www.obsderegenboog.nl"
            mails = [c.nummer for c in school.communicatie if c.soort == "e-mail"]
            assert mails == ["info@obsderegenboog.nl"]
    school = make_school(1, "POSWV")
    slug = "".join(ch for ch in school.naam.lower() if ch.isascii() and ch.isalnum())
    assert school.website.endswith(f"{slug}.nl")


def test_diagnosis_codes_match_their_names(pupils):
    _, _, lln = pupils
    seen = set()
    for ll in lln:
        for d in ll.onderwijsondersteuning.diagnoses:
            assert len(d.codes) == 1 and d.naam == DIAGNOSENAMEN[d.codes[0]]
            seen.add(d.codes[0])
            if d.codes[0] in DIAGNOSE_NAMEN:
                assert d.naam == DIAGNOSE_NAMEN[d.codes[0]]
    assert {"F90.0", "F84.0"} <= seen
    assert "F90" not in seen and "F84" not in seen


def _jaargroep(ll) -> int:
    return int(ll.schoolloopbaan[-1].jaargroep)


def test_career_ends_in_the_current_school_year_and_fits_the_age(pupils):
    profile, _, lln = pupils
    peildatum = date(HUIDIG, 10, 1)
    for ll in lln:
        laatste = ll.schoolloopbaan[-1]
        assert laatste.schooljaar == f"{HUIDIG}-{HUIDIG + 1}"
        jaren = [int(s.schooljaar[:4]) for s in ll.schoolloopbaan]
        assert jaren == list(range(jaren[0], HUIDIG + 1))
        leeftijd = (peildatum - ll.geboortedatum).days / 365.25
        g = _jaargroep(ll)
        # age on 1 October: groep 3 at 6, so groep g at g + 3; VO leerjaar j (code 10 + j) at 11 + j
        verwacht = (g - 10) + 11 if profile == "VOSWV" else g + 3
        assert verwacht - 0.1 <= leeftijd <= verwacht + 1.1, (g, leeftijd)


def test_vo_pupils_are_in_klassen_and_po_pupils_in_groepen(pupils):
    profile, _, lln = pupils
    for ll in lln:
        naam = ll.schoolloopbaan[-1].groepsnaam
        if profile == "VOSWV":
            assert naam.startswith("Klas ") and not naam.startswith("Groep")
            assert 11 <= _jaargroep(ll) <= 16
        else:
            assert naam == f"Groep {_jaargroep(ll)}"


def test_advice_and_dle_fit_the_groep(pupils):
    profile, _, lln = pupils
    for ll in lln:
        g = _jaargroep(ll)
        if profile == "POSWV" and g < 8:
            assert ll.overstapadvies is None, g
        for t in ll.toetsen:
            tg = int(t.jaargroep)
            for r in t.resultaat.referentiescores:
                if r.codereferentiescore == "DLE":
                    assert tg >= 3 and (tg - 3) * 10 < int(r.waarde) <= (tg - 2) * 10, (tg, r.waarde)
            assert date(HUIDIG, 8, 1) <= t.afnamedatum <= REFERENTIEDATUM


def test_the_same_seed_gives_the_same_pupils():
    a, b = population("POSWV")[1][:50], population("POSWV")[1][:50]
    assert [x.to_dict() for x in a] == [y.to_dict() for y in b]
