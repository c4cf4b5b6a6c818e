"""Invariants of the aanvraag SWV-dossier builder (oso-dossier.md §4, §6)."""
from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import date

import pytest
from lxml import etree

from harness.runtime.reference_data import missing, official_xsd
from oso_protocol.dossier import categories as cats
from oso_protocol.dossier.builder import MASK_EMAIL, MASK_TELEFOON, BuilderError, build_dossier
from oso_protocol.dossier.model import Attachment, Leerling
from oso_protocol.dossier.version import NS
from oso_protocol.synthetic import make_leerling, make_school, toelichting_for

XSD = official_xsd()
N = {"od": NS}
DATUM = date(2024, 3, 1)
ALLE_BLOKKEN = list(cats.GEGEVENSBLOKKEN) + ["cat_ouderinzage", "cat_cijferlijsten", "cat_eindtoetsbo", "cat_vombo"]


@pytest.fixture(scope="module")
def schema():
    if not XSD.exists():
        pytest.skip(missing(XSD))
    return etree.XMLSchema(etree.parse(str(XSD)))


def build(ll, profile="POSWV", blokken=ALLE_BLOKKEN, **kw):
    school = make_school(1, profile)
    kw.setdefault("toelichting", toelichting_for(ll))
    return build_dossier(ll, school, profile=profile, gegevensblokken=blokken, datum=DATUM, **kw)


def tree(xml: bytes):
    return etree.fromstring(xml)


def leerling_el(root):
    return root.find("od:huidigeschool/od:leerling", N)


def local_names(el):
    return [etree.QName(c).localname for c in el]


@pytest.mark.parametrize("profile", cats.PROFILES)
@pytest.mark.parametrize("seed", range(8))
@pytest.mark.interop
def test_schema_valid(schema, profile, seed):
    ll = make_leerling(seed, profile, tricky_naam=seed % 2 == 0, adresgeheim=seed == 3)
    root = tree(build(ll, profile))
    assert schema.validate(root), schema.error_log


def test_metadata_and_categories_in_order():
    root = tree(build(make_leerling(1, "POSWV"), blokken=[]))
    md = root.find("od:metadata", N)
    assert md.findtext("od:deeldossier", namespaces=N) == "LASLVS"
    assert md.findtext("od:standaardversie", namespaces=N) == "2019.1"
    assert md.findtext("od:validatieversie", namespaces=N) == "2019.1.1"
    assert md.findtext("od:overstap", namespaces=N) == "POSWV"
    assert root.findtext("od:overdrachtsoort", namespaces=N) == "swv-dossier"
    cu = md.find("od:categorie_uitlevering", N)
    assert local_names(cu) == [c.element for c in cats.CATEGORIES]


@pytest.mark.parametrize("profile", cats.PROFILES)
def test_no_pgn_even_when_the_record_has_them(profile):
    ll = make_leerling(4, profile, bsn=True, onderwijsnummer=True)
    ll.geboorteplaats = "Zwolle"
    ll.nationaliteit = ["0001"]
    for v in ll.verzorgers:
        v.banknummer = "123456789"
    assert ll.bsn and ll.onderwijsnummer
    xml = build(ll, profile)
    names = {etree.QName(e).localname for e in tree(xml).iter()}
    for forbidden in ("bsn", "onderwijsnummer", "geboorteplaats", "nationaliteit", "banknummer",
                      "geboortemaand", "postcode4adres", "gba", "adresbuitenland"):
        assert forbidden not in names
    assert ll.bsn.encode() not in xml and ll.onderwijsnummer.encode() not in xml


@pytest.mark.parametrize("profile", cats.PROFILES)
def test_unticked_optional_is_opt_uit_and_absent(profile):
    # A pupil with data in every category, so absence is the builder's doing.
    ll = make_leerling(2, profile)
    ll.vve = make_leerling(2, "POSWV").vve if profile == "POSWV" else None
    root = tree(build(ll, profile, blokken=[]))
    cu = root.find("od:metadata/od:categorie_uitlevering", N)
    for cat in cats.CATEGORIES:
        base = cats.PROFILE_MATRIX[profile][cat.element]
        declared = cu.findtext(f"od:{cat.element}", namespaces=N)
        if base == cats.OPTIONEEL:
            assert declared == cats.OPT_UIT, cat.element
            for path in cat.paths:
                assert root.find("/".join("od:" + p for p in path.split("/")), N) is None, path
        else:
            assert declared == base


@pytest.mark.parametrize("profile", cats.PROFILES)
def test_verplicht_always_delivered(profile):
    ll = make_leerling(5, profile)
    root = tree(build(ll, profile, blokken=[]))
    le = leerling_el(root)
    for name in ("schoolloopbaanlijst", "onderwijsondersteuning", "verzorgersaansprakelijk", "adresgeheim",
                 "geboortedatum"):
        assert le.find(f"od:{name}", N) is not None, name
    assert le.find("od:onderwijsondersteuning/od:toelichting_onderwijsbehoeften/od:document", N) is not None
    assert root.find("od:huidigeschool/od:adreslijst/od:adres", N) is not None
    assert root.find("od:huidigeschool/od:communicatielijst/od:communicatie", N) is not None


def test_ticked_optional_is_delivered():
    ll = make_leerling(6, "POSWV")
    ll.vve = make_leerling(6, "POSWV").vve or make_leerling(7, "POSWV").vve
    root = tree(build(ll, "POSWV", blokken=["Verzuim", "VVE", "Handelingsplannen"]))
    cu = root.find("od:metadata/od:categorie_uitlevering", N)
    assert cu.findtext("od:cat_verzuim", namespaces=N) == "OPTIONEEL"
    assert cu.findtext("od:cat_toetsresultaten", namespaces=N) == "OPT-UIT"
    if ll.verzuim is not None:
        assert leerling_el(root).find("od:verzuim", N) is not None


def test_vo_never_carries_vve_and_po_never_eindtoets_or_vombo():
    vo = make_leerling(3, "VOSWV")
    po = make_leerling(3, "POSWV")
    vo.vve = next(p.vve for p in (make_leerling(s, "POSWV") for s in range(20)) if p.vve)
    po.eindtoets, po.vombo = vo.eindtoets, vo.vombo
    vo_root = tree(build(vo, "VOSWV"))
    po_root = tree(build(po, "POSWV"))
    assert vo_root.findtext("od:metadata/od:categorie_uitlevering/od:cat_vve", namespaces=N) == "VERBODEN"
    vo_names = set(local_names(leerling_el(vo_root)))
    assert not vo_names & {"vanpeuterspeelzaal", "naampeuterspeelzaal", "voorschools", "vroegschools"}
    assert "eindtoets_basisonderwijs" in vo_names and "overigvombo" in vo_names
    po_names = set(local_names(leerling_el(po_root)))
    assert not po_names & {"eindtoets_basisonderwijs", "bevorderd", "certificaat", "overigvombo"}
    cu = po_root.find("od:metadata/od:categorie_uitlevering", N)
    assert cu.findtext("od:cat_eindtoetsbo", namespaces=N) == "VERBODEN"
    assert cu.findtext("od:cat_vombo", namespaces=N) == "VERBODEN"


def test_secrets_masked_and_secret_addresses_left_out():
    ll = make_leerling(8, "POSWV", adresgeheim=True, communicatie_geheim=True, verzorger_adresgeheim=True)
    assert ll.communicatie and ll.adressen
    xml = build(ll)
    root = tree(xml)
    le = leerling_el(root)
    assert le.findtext("od:adresgeheim", namespaces=N) == "true"
    assert le.find("od:adreslijst", N) is None
    secret = [c for c in root.iter(f"{{{NS}}}communicatie") if c.findtext("od:geheim", namespaces=N) == "true"]
    assert secret
    for c in secret:
        mask = MASK_EMAIL if c.findtext("od:soort", namespaces=N) == "e-mail" else MASK_TELEFOON
        assert c.findtext("od:nummer", namespaces=N) == mask
    for item in ll.communicatie:
        assert item.geheim and item.nummer.encode() not in xml
    for v in le.findall("od:verzorger", N):
        assert v.findtext("od:adresgeheim", namespaces=N) == "true"
        assert v.find("od:adreslijst", N) is None


def test_deceased_verzorger():
    ll = make_leerling(9, "POSWV", verzorger_overleden=True)
    le = leerling_el(tree(build(ll)))
    dead = [v for v in le.findall("od:verzorger", N) if v.findtext("od:overleden", namespaces=N) == "true"]
    assert dead and all(v.findtext("od:overlijdensdatum", namespaces=N) for v in dead)
    for v in le.findall("od:verzorger", N):
        if v.findtext("od:overleden", namespaces=N) != "true":
            assert v.find("od:overlijdensdatum", N) is None


def test_attachments_are_real_zips_of_the_original_bytes():
    ll = make_leerling(10, "POSWV")
    toelichting = toelichting_for(ll)
    bijlage = Attachment("Notitie.txt", "Één notitie\n".encode(), omschrijving="Notitie", mime="text/plain")
    root = tree(build(ll, toelichting=toelichting, bijlagen=[bijlage]))
    docs = list(root.iter(f"{{{NS}}}document"))
    assert len(docs) >= 2
    for d in docs:
        naam = d.findtext("od:bestandsnaam", namespaces=N)
        zf = zipfile.ZipFile(io.BytesIO(base64.b64decode(d.findtext("od:bestandsinhoud", namespaces=N), validate=True)))
        assert zf.testzip() is None
        assert zf.namelist() == [naam]
        assert zf.infolist()[0].compress_type == zipfile.ZIP_DEFLATED
    le = leerling_el(root)
    t = le.find("od:onderwijsondersteuning/od:toelichting_onderwijsbehoeften/od:document", N)
    inner = zipfile.ZipFile(io.BytesIO(base64.b64decode(t.findtext("od:bestandsinhoud", namespaces=N))))
    assert inner.read(toelichting.bestandsnaam) == toelichting.content
    o = le.find("od:overigdocumentlijst/od:document", N)
    inner = zipfile.ZipFile(io.BytesIO(base64.b64decode(o.findtext("od:bestandsinhoud", namespaces=N))))
    assert inner.read("Notitie.txt") == bijlage.content
    assert root.findtext("od:metadata/od:categorie_uitlevering/od:cat_bijlagedocs", namespaces=N) == "OPTIONEEL"


def test_no_bijlagen_means_bijlagedocs_opt_uit():
    root = tree(build(make_leerling(11, "POSWV"), bijlagen=()))
    assert root.findtext("od:metadata/od:categorie_uitlevering/od:cat_bijlagedocs", namespaces=N) == "OPT-UIT"
    assert leerling_el(root).find("od:overigdocumentlijst", N) is None


@pytest.mark.parametrize("toelichting", [None, Attachment("leeg.pdf", b"")])
def test_missing_toelichting_refused(toelichting):
    with pytest.raises(BuilderError, match="Toelichting onderwijsbehoeften ontbreekt"):
        build(make_leerling(12, "POSWV"), toelichting=toelichting)


def test_aandachtspunten():
    ll = make_leerling(13, "POSWV")
    root = tree(build(ll, blokken=["Overstapadvies"], aandachtspunten="Let op: <b> & \"quotes\""))
    assert leerling_el(root).findtext("od:overstapadvies/od:aandachtspunten", namespaces=N) == "Let op: <b> & \"quotes\""
    root = tree(build(ll, blokken=[], aandachtspunten="Niet meesturen"))
    assert leerling_el(root).find("od:overstapadvies", N) is None
    with pytest.raises(BuilderError, match="280"):
        build(ll, blokken=["Overstapadvies"], aandachtspunten="x" * 281)


def test_unknown_gegevensblok_and_profile_refused():
    ll = make_leerling(14, "POSWV")
    with pytest.raises(BuilderError, match="gegevensblok"):
        build(ll, blokken=["Rapportcijfers"])
    with pytest.raises(BuilderError, match="profiel"):
        build(ll, "POVO")


@pytest.mark.interop
def test_script_name_is_escaped_text(schema):
    ll = make_leerling(15, "POSWV", script_naam=True)
    xml = build(ll)
    assert b"<script>" not in xml
    root = tree(xml)
    assert leerling_el(root).findtext("od:achternaam", namespaces=N) == "<script>alert(1)</script>"
    assert schema.validate(root), schema.error_log


def test_deterministic():
    a = build(make_leerling(16, "VOSWV"), "VOSWV")
    b = build(make_leerling(16, "VOSWV"), "VOSWV")
    assert a == b
    assert a.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_snapshot_round_trip_through_json():
    ll = make_leerling(17, "VOSWV", bsn=True, verzorger_overleden=True)
    data = json.loads(json.dumps(ll.to_dict()))
    again = Leerling.from_dict(data)
    assert again == ll
    assert build(again, "VOSWV") == build(ll, "VOSWV")


def test_leerling_without_schoolloopbaan_refused():
    ll = make_leerling(18, "POSWV")
    ll.schoolloopbaan = []
    with pytest.raises(BuilderError, match="Schoolloopbaan"):
        build(ll)
