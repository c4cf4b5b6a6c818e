"""Synthetic data: determinism, variants, and PDFs that a reader can open."""
from __future__ import annotations

import random
import re

import pytest

from oso_protocol.synthetic import (
    make_leerling, make_population, make_school, pdf_bytes, random_gegevensblokken,
)
from oso_protocol.dossier.categories import GEGEVENSBLOKKEN, PROFILE_MATRIX, PROFILES, VERBODEN, VERPLICHT


@pytest.mark.parametrize("profile", PROFILES)
def test_same_seed_same_data(profile):
    assert make_school(3, profile).to_dict() == make_school(3, profile).to_dict()
    assert make_leerling(3, profile).to_dict() == make_leerling(3, profile).to_dict()
    a = [p.to_dict() for p in make_population(5, 20, profile)]
    b = [p.to_dict() for p in make_population(5, 20, profile)]
    assert a == b
    assert make_leerling(3, profile).to_dict() != make_leerling(4, profile).to_dict()


def test_rng_and_seed_are_interchangeable():
    assert make_leerling(random.Random(9), "POSWV").to_dict() == make_leerling(9, "POSWV").to_dict()


def test_variants():
    ll = make_leerling(1, "POSWV", bsn=True, onderwijsnummer=True, adresgeheim=True, communicatie_geheim=True,
                       verzorger_adresgeheim=True, verzorger_overleden=True, zonder_diagnoses=True,
                       tricky_naam=True, script_naam=True)
    assert ll.bsn and ll.onderwijsnummer and ll.adresgeheim
    assert all(c.geheim for c in ll.communicatie)
    assert all(v.adresgeheim for v in ll.verzorgers)
    assert any(v.overleden and v.overlijdensdatum for v in ll.verzorgers)
    assert ll.onderwijsondersteuning.diagnoses == []
    assert ll.achternaam == "<script>alert(1)</script>"
    plain = make_leerling(1, "POSWV", bsn=False, onderwijsnummer=False, adresgeheim=False, script_naam=False)
    assert plain.bsn is None and plain.onderwijsnummer is None and not plain.adresgeheim


def test_population_exercises_every_path():
    po, vo = make_population(1, 300, "POSWV"), make_population(1, 300, "VOSWV")
    pop = po + vo
    assert any(p.bsn for p in pop) and any(p.onderwijsnummer for p in pop)
    assert any(p.adresgeheim for p in pop)
    assert any(c.geheim for p in pop for c in p.communicatie)
    assert any(v.adresgeheim for p in pop for v in p.verzorgers)
    assert any(v.overleden for p in pop for v in p.verzorgers)
    assert any(not p.onderwijsondersteuning.diagnoses for p in pop)
    assert any("Ö" in " ".join(p.voornamen) or "'" in p.achternaam for p in pop)
    assert all(p.schoolloopbaan for p in pop)
    assert all(p.vve is None and p.eindtoets and p.vombo for p in vo)
    assert all(p.eindtoets is None and p.vombo is None for p in po)
    assert any(p.vve for p in po)


@pytest.mark.parametrize("profile", PROFILES)
def test_random_gegevensblokken(profile):
    rng = random.Random(0)
    for _ in range(50):
        blokken = random_gegevensblokken(rng, profile)
        ticked = {GEGEVENSBLOKKEN.get(b, b) for b in blokken}
        for cat, base in PROFILE_MATRIX[profile].items():
            if base == VERPLICHT and cat in GEGEVENSBLOKKEN.values():
                assert cat in ticked
            if base == VERBODEN:
                assert cat not in ticked


def _check_pdf(data: bytes):
    assert data.startswith(b"%PDF-1.4\n")
    assert data.rstrip().endswith(b"%%EOF")
    m = re.search(rb"startxref\n(\d+)\n%%EOF\n?$", data)
    assert m, "startxref missing"
    xref = int(m.group(1))
    assert data[xref:xref + 5] == b"xref\n"
    header = re.match(rb"xref\n0 (\d+)\n", data[xref:])
    count = int(header.group(1))
    entries = data[xref + header.end():].split(b"\n")[:count]
    assert entries[0] == b"0000000000 65535 f "
    for number, entry in enumerate(entries[1:], start=1):
        assert len(entry) == 19 and entry.endswith(b" 00000 n ")
        offset = int(entry[:10])
        assert data[offset:].startswith(b"%d 0 obj" % number)
    # the stream length matches what is between stream and endstream
    sm = re.search(rb"<< /Length (\d+) >>\nstream\n", data)
    length = int(sm.group(1))
    assert data[sm.end() + length:sm.end() + length + 10] == b"\nendstream"


def test_pdf_is_well_formed():
    _check_pdf(pdf_bytes("Toelichting", ["regel één", "haakjes ( ) en \\ backslash", "emoji 🙂 wordt ?"]))
    _check_pdf(pdf_bytes("Leeg"))
    assert pdf_bytes("A", ["b"]) == pdf_bytes("A", ["b"])
