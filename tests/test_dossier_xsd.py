"""The project's own XSD for gegevensset 2019.1 and the schema layer built on it.

Without the reference folder: our XSD accepts every dossier the builder writes and refuses the
structural mutations it must refuse. With it (interop): our XSD also accepts the four official
examples, and it agrees with the official XSD on builder output and on mutated dossiers.
"""
from __future__ import annotations

import copy
import random
import threading
import time
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
from lxml import etree

from dossier_samples import EXAMPLE_NAMES, EXAMPLES, minimal_dossier
from oso_protocol.dossier import categories as cats
from oso_protocol.dossier.builder import build_dossier
from oso_protocol.dossier.findings import FOUT, LAYER_XSD
from oso_protocol.dossier.rules import RULES
from oso_protocol.dossier.version import V2019_1
from oso_protocol.dossier.xsd_layer import MAX_FINDINGS, XSD_FILE, check_xsd, dossier_schema
from oso_protocol.synthetic import REFERENTIEDATUM, make_leerling, make_school, make_zorgvraag, toelichting_for
from oso_protocol.dossier.model import Attachment

NS = V2019_1.namespace
XS = "http://www.w3.org/2001/XMLSchema"
OFFICIAL_XSD = EXAMPLES.parent / "OSO_gegevensset_2019.1.xsd"
ROOT = Path(__file__).resolve().parents[1]

ALLE = list(cats.GEGEVENSBLOKKEN) + ["cat_ouderinzage", "cat_cijferlijsten", "cat_eindtoetsbo", "cat_vombo"]
WEINIG = [naam for naam, cat in cats.GEGEVENSBLOKKEN.items()
          if cats.PROFILE_MATRIX["POSWV"][cat] == cats.VERPLICHT]


@pytest.fixture(scope="module")
def official():
    if not OFFICIAL_XSD.is_file():
        pytest.skip("official 2019.1 XSD not available (../shared/reference)")
    return etree.XMLSchema(etree.parse(str(OFFICIAL_XSD)))


def q(name: str) -> str:
    return f"{{{NS}}}{name}"


def built(profile: str, blokken, *, seed: int = 7, bijlagen: bool = True) -> etree._Element:
    school = make_school(seed, profile)
    ll = make_leerling(seed, profile, school=school, adresgeheim=False, zonder_diagnoses=False)
    extra = [Attachment("Notitie.txt", b"notitie\n", omschrijving="Notitie", mime="text/plain")] if bijlagen else []
    xml = build_dossier(ll, school, profile=profile, gegevensblokken=blokken, toelichting=toelichting_for(ll),
                        bijlagen=extra, aandachtspunten="Let op de overgang.", datum=REFERENTIEDATUM)
    return etree.fromstring(xml)


def random_built(n: int, seed: str = "xsd"):
    rng = random.Random(seed)
    for i in range(n):
        profile = ("POSWV", "VOSWV")[i % 2]
        school = make_school(rng, profile)
        ll = make_leerling(rng, profile, school=school)
        yield etree.fromstring(build_dossier(ll, school, datum=REFERENTIEDATUM, **make_zorgvraag(rng, ll, profile)))


# --- the schema itself ---------------------------------------------------------------------------

def test_schema_targets_the_2019_namespace_with_dossier_as_only_root():
    doc = etree.parse(str(XSD_FILE)).getroot()
    assert doc.get("targetNamespace") == NS
    assert doc.get("elementFormDefault") == "qualified"
    assert [e.get("name") for e in doc.findall(f"{{{XS}}}element")] == ["dossier"]


def test_schema_is_packaged():
    """pyproject's package-data globs reach schema/*.xsd in the (namespace) package below dossier."""
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = conf["tool"]["setuptools"]["package-data"]
    patterns = globs.get("*", []) + globs.get("oso_protocol.dossier.schema", [])
    assert any(fnmatch(XSD_FILE.name, p) for p in patterns)
    packages = conf["tool"]["setuptools"]["packages"]
    listed = packages if isinstance(packages, list) else packages["find"]["include"]
    assert any(fnmatch("oso_protocol.dossier.schema", p) for p in listed)
    assert XSD_FILE.parent == ROOT / "oso_protocol" / "dossier" / "schema"


def test_schema_order_follows_the_documented_tree():
    """A handful of sequences checked against dossier-tree-2019.1.txt by name and order."""
    doc = etree.parse(str(XSD_FILE)).getroot()

    def children(type_name):
        t = doc.find(f"{{{XS}}}complexType[@name='{type_name}']")
        return [e.get("name") for e in t.iter(f"{{{XS}}}element")]

    assert children("dossierType") == ["metadata", "overdrachtsoort", "inzage", "huidigeschool"]
    assert children("categorieUitleveringType") == [c.element for c in cats.CATEGORIES]
    ll = children("leerlingType")
    assert ll.index("geboortedatum") < ll.index("adresgeheim") < ll.index("bsn") < ll.index("leerlingid")
    assert ll[-7:] == ["bevorderd", "examenresultaat", "resultaatvakkenvo", "certificaat", "competenties",
                       "stage", "overigvombo"]
    assert children("onderwijsondersteuningType") == [
        "toelichting_onderwijsbehoeften", "diagnose", "medicijngebruik", "handelingsplan", "opp", "tlv",
        "arrangement_cluster12", "arrangement_pao", "lwoo", "rvc"]


# --- our schema accepts what we write ---------------------------------------------------------------

@pytest.mark.parametrize("profile", ["POSWV", "VOSWV"])
@pytest.mark.parametrize("blokken", [ALLE, WEINIG], ids=["alle-blokken", "weinig-blokken"])
@pytest.mark.parametrize("bijlagen", [True, False], ids=["bijlagen", "geen-bijlagen"])
def test_builder_output_passes_own_schema(profile, blokken, bijlagen):
    root = built(profile, blokken, bijlagen=bijlagen)
    assert check_xsd(root, V2019_1) == []


def test_all_blocks_really_fill_the_optional_parts():
    """The 'all blocks' dossiers exercise the deep parts of the schema, not just the skeleton."""
    po, vo = built("POSWV", ALLE), built("VOSWV", ALLE)
    ll_po = po.find(f"{q('huidigeschool')}/{q('leerling')}")
    ll_vo = vo.find(f"{q('huidigeschool')}/{q('leerling')}")
    for ll in (ll_po, ll_vo):
        for name in ("schoolloopbaanlijst", "onderwijsondersteuning", "verzorger", "overigdocumentlijst"):
            assert ll.find(q(name)) is not None, name
    assert any(ll.find(q(n)) is not None for ll in (ll_po, ll_vo) for n in ("toetslijst", "verzuim"))
    assert built("POSWV", WEINIG, bijlagen=False).find(
        f"{q('huidigeschool')}/{q('leerling')}/{q('overigdocumentlijst')}") is None


def test_hundred_random_builder_dossiers_pass_own_schema():
    schema = dossier_schema()
    for i, root in enumerate(random_built(100)):
        assert schema.validate(root), f"#{i}: {schema.error_log.last_error}"


def test_minimal_dossier_passes_own_schema():
    assert check_xsd(minimal_dossier(), V2019_1) == []
    assert check_xsd(minimal_dossier("VOSWV"), V2019_1) == []


@pytest.mark.interop
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_official_examples_pass_own_schema(name):
    path = EXAMPLES / name
    if not path.is_file():
        pytest.skip("reference examples not available")
    assert check_xsd(etree.parse(str(path)).getroot(), V2019_1) == []


# --- structural mutations: what our schema refuses (and, with the reference, the official too) -----

def _ll(root):
    return root.find(f"{q('huidigeschool')}/{q('leerling')}")


def _md(root):
    return root.find(q("metadata"))


def _add(parent, name, text=None, index=None):
    el = etree.Element(q(name))
    el.text = text
    if index is None:
        parent.append(el)
    else:
        parent.insert(index, el)
    return el


def _before(parent, name, new, text=None):
    return _add(parent, new, text, list(parent).index(parent.find(q(name))))


def _drop(parent, name):
    parent.remove(parent.find(q(name)))


def _set(parent, path, text):
    parent.find("/".join(q(p) for p in path.split("/"))).text = text


def _werkt_bij_beide(root):
    ll = _ll(root)
    toets = ll.find(f"{q('toetslijst')}/{q('toets')}")
    if toets is None:
        pytest.skip("builder wrote no toets for this pupil")
    afname = toets.find(q("afname"))
    door = afname.find(q("afgenomendoor"))
    if door is None:
        door = _add(afname, "afgenomendoor")
        _add(door, "naammedewerker", "J. Jansen")
    w = door.find(q("werktbijinstelling"))
    if w is None:
        w = _add(door, "werktbijinstelling")
    for c in list(w):
        w.remove(c)
    inst = _add(w, "instelling")
    _add(inst, "naam", "Centrum")
    school = _add(w, "school")
    for k, v in (("naam", "School"), ("brincode", "00YY"), ("vestigingscode", "00"), ("aanleverpunt", "1")):
        _add(school, k, v)


MUTATIONS = [
    # (id, mutation, valid afterwards)
    ("bsn-op-zijn-plaats", lambda r: _before(_ll(r), "leerlingid", "bsn", "123456782"), True),
    ("bsn-achteraan", lambda r: _add(_ll(r), "bsn", "123456782"), False),
    ("bsn-en-onderwijsnummer", lambda r: (_before(_ll(r), "leerlingid", "onderwijsnummer", "1"),
                                          _before(_ll(r), "leerlingid", "bsn", "2")), False),
    ("achternaam-weg", lambda r: _drop(_ll(r), "achternaam"), False),
    ("geboortedatum-en-geboortemaand", lambda r: _before(_ll(r), "geslacht", "geboortemaand", "2010-03"), False),
    ("geboortemaand-in-plaats-van-datum", lambda r: (_before(_ll(r), "geslacht", "geboortemaand", "2010-03"),
                                                     _drop(_ll(r), "geboortedatum")), True),
    ("metadata-volgorde", lambda r: _md(r).insert(0, _md(r).find(q("pakketnaam"))), False),
    ("pakketnaam-leeg", lambda r: _set(_md(r), "pakketnaam", ""), False),
    ("datum-verkeerd", lambda r: _set(_md(r), "datum", "01-05-2019"), False),
    ("cat-waarde-onbekend", lambda r: _set(_md(r), "categorie_uitlevering/cat_vve", "JA"), True),
    ("cat-ontbreekt", lambda r: _drop(_md(r).find(q("categorie_uitlevering")), "cat_bijlagedocs"), False),
    ("overstap-weg", lambda r: _drop(_md(r), "overstap"), True),
    ("brincode-patroon", lambda r: _set(r.find(q("huidigeschool")), "brincode", "12ab"), False),
    ("vestigingscode-patroon", lambda r: _set(r.find(q("huidigeschool")), "vestigingscode", "1"), False),
    ("geslacht-tekst", lambda r: _set(_ll(r), "geslacht", "man"), False),
    ("geslacht-buiten-codelijst", lambda r: _set(_ll(r), "geslacht", "7"), True),
    ("adresgeheim-geen-boolean", lambda r: _set(_ll(r), "adresgeheim", "nee"), False),
    ("onbekend-element", lambda r: _add(_md(r), "extra", "x"), False),
    ("vreemde-namespace", lambda r: _md(r).append(etree.Element("{urn:x}extra")), False),
    ("attribuut", lambda r: _md(r).find(q("overstap")).set("soort", "x"), False),
    ("land-met-omschrijving", lambda r: _add(_ll(r).find(f"{q('adreslijst')}/{q('adres')}"), "land", "NL")
     .set("omschrijving", "Nederland"), True),
    ("nationaliteit-met-omschrijving", lambda r: _before(_ll(r), "leerlingid", "nationaliteit", "0001")
     .set("omschrijving", "Nederlandse"), True),
    ("tekst-in-blok", lambda r: setattr(_md(r), "text", "los"), False),
    ("element-in-eenvoudig-veld", lambda r: _add(_md(r).find(q("deeldossier")), "x"), False),
    ("leeg-verzuim", lambda r: _empty_verzuim(r), True),
    ("twee-toelichtingen", lambda r: _ll(r).find(f"{q('onderwijsondersteuning')}/{q('toelichting_onderwijsbehoeften')}")
     .append(copy.deepcopy(_ll(r).find(f"{q('onderwijsondersteuning')}/{q('toelichting_onderwijsbehoeften')}/{q('document')}"))),
     False),
    ("bestandsinhoud-leeg", lambda r: setattr(r.find(f".//{q('bestandsinhoud')}"), "text", None), False),
    ("aandachtspunten-281", lambda r: _set(_ll(r), "overstapadvies/aandachtspunten", "x" * 281), False),
    ("aandachtspunten-280", lambda r: _set(_ll(r), "overstapadvies/aandachtspunten", "x" * 280), True),
    ("gba-datum-iso", lambda r: _before(_ll(r), "leerlingid", "gba").extend(
        [etree.Element(q("gbavoornaam")), etree.Element(q("gbaachternaam")), etree.Element(q("gbageboortedatum"))])
     or _fill_gba(r, "2010-03-17"), False),
    ("gba-datum-goed", lambda r: _before(_ll(r), "leerlingid", "gba").extend(
        [etree.Element(q("gbavoornaam")), etree.Element(q("gbaachternaam")), etree.Element(q("gbageboortedatum"))])
     or _fill_gba(r, "17-03-2010"), True),
    ("werktbijinstelling-beide", _werkt_bij_beide, False),
    ("dubbele-schoolloopbaanlijst", lambda r: _before(_ll(r), "schoolloopbaanlijst", "schoolloopbaanlijst"), False),
]


def _empty_verzuim(root):
    ll = _ll(root)
    old = ll.find(q("verzuim"))
    if old is not None:
        ll.remove(old)
    _add(ll, "verzuim", index=list(ll).index(ll.find(q("onderwijsondersteuning"))) + 1)


def _fill_gba(root, datum):
    gba = _ll(root).find(q("gba"))
    gba[0].text, gba[1].text, gba[2].text = "Daan", "Berg", datum


@pytest.fixture(scope="module")
def rich_po():
    # overstapadvies must be present for the aandachtspunten cases; leerlingid and verzorger as anchors
    root = built("POSWV", ALLE)
    assert _ll(root).find(f"{q('overstapadvies')}/{q('aandachtspunten')}") is not None
    assert _ll(root).find(q("leerlingid")) is not None
    return root


@pytest.mark.parametrize("name,mutate,valid", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutation_verdict_of_own_schema(rich_po, name, mutate, valid):
    root = copy.deepcopy(rich_po)
    mutate(root)
    own = dossier_schema()
    assert own.validate(root) is valid, own.error_log.last_error


@pytest.mark.interop
@pytest.mark.parametrize("name,mutate,valid", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutation_verdict_of_official_schema(rich_po, name, mutate, valid, official):
    # interop parity: the official schema gives the verdict ours gives on the same mutation
    root = copy.deepcopy(rich_po)
    mutate(root)
    assert official.validate(root) is valid, official.error_log.last_error


@pytest.mark.interop
def test_parity_on_builder_output(official):
    own = dossier_schema()
    for i, root in enumerate(random_built(60, seed="parity")):
        assert own.validate(root) and official.validate(root), f"#{i}"


def _random_mutation(root, rng):
    els = [e for e in root.iter() if isinstance(e.tag, str) and e is not root]
    e = rng.choice(els)
    parent = e.getparent()
    op = rng.choice(("weg", "dubbel", "wissel", "tekst", "leeg", "verplaats"))
    if op == "weg":
        parent.remove(e)
    elif op == "dubbel":
        parent.insert(parent.index(e), copy.deepcopy(e))
    elif op == "wissel" and e.getnext() is not None:
        nxt = e.getnext()
        parent.remove(nxt)
        parent.insert(parent.index(e), nxt)
    elif op == "tekst":
        e.text = "x" if len(e) else rng.choice(("x", "", "2019-13-01", "-1", "1.5", "true", "99", "A" * 300,
                                                  "12AB", "2020-07-31", "2019-1"))
    elif op == "leeg":
        for c in list(e):
            e.remove(c)
        e.text = None
    elif op == "verplaats":
        target = rng.choice(els)
        if target is not e and e not in target.iterancestors():
            parent.remove(e)
            target.append(e)


@pytest.mark.interop
def test_parity_on_random_mutations(official):
    """Delete, duplicate, swap, retype, empty or move one element: both schemas agree every time."""
    rng = random.Random(2019)
    sources = [built("POSWV", ALLE), built("VOSWV", ALLE), built("POSWV", WEINIG, bijlagen=False)]
    sources += [etree.parse(str(EXAMPLES / n)).getroot() for n in EXAMPLE_NAMES]
    own = dossier_schema()
    disagreements, invalid = [], 0
    for i in range(1000):
        root = copy.deepcopy(rng.choice(sources))
        _random_mutation(root, rng)
        a, b = own.validate(root), official.validate(root)
        invalid += not b
        if a != b:
            disagreements.append((i, a, str(own.error_log.last_error), str(official.error_log.last_error)))
    assert not disagreements, disagreements[:5]
    assert invalid > 200  # the mutations really break things, or agreement would prove nothing


@pytest.mark.interop
def test_foreign_namespace_fails_both_at_the_root(official):
    xml = etree.tostring(built("POSWV", WEINIG)).replace(b"/2019/dossier", b"/2024/dossier")
    root = etree.fromstring(xml)
    assert not dossier_schema().validate(root) and not official.validate(root)


# --- the schema layer's findings ----------------------------------------------------------------------

def test_findings_name_layer_rule_location_and_say_it_in_dutch():
    root = minimal_dossier()
    _add(_ll(root), "bsn", "123456782")            # after verzorger: out of sequence
    _set(_md(root), "datum", "01-05-2019")
    _set(_md(root), "pakketnaam", "")
    root = etree.fromstring(etree.tostring(root, pretty_print=True))  # parsed text has line numbers
    found = check_xsd(root, V2019_1)
    assert {f.rule for f in found} == {"XSD"} and "XSD" in RULES
    assert all(f.layer == LAYER_XSD and f.severity == FOUT for f in found)
    by_loc = {f.location: f.message for f in found}
    assert set(by_loc) == {"/dossier[1]/huidigeschool[1]/leerling[1]/bsn[1]",
                           "/dossier[1]/metadata[1]/datum[1]",
                           "/dossier[1]/metadata[1]/pakketnaam[1]"}
    assert by_loc["/dossier[1]/huidigeschool[1]/leerling[1]/bsn[1]"].startswith(
        "Element 'bsn' is hier niet toegestaan")
    assert "'01-05-2019' is geen geldige datum" in by_loc["/dossier[1]/metadata[1]/datum[1]"]
    assert "is leeg" in by_loc["/dossier[1]/metadata[1]/pakketnaam[1]"]
    assert all("{" not in m and "This element" not in m for m in by_loc.values())
    assert all("(regel " in m for m in by_loc.values())


def test_location_counts_same_named_siblings():
    root = minimal_dossier()
    v2 = copy.deepcopy(_ll(root).find(q("verzorger")))
    _ll(root).append(v2)
    v2.find(q("wettigevertegenwoordiger")).text = "misschien"
    [f] = check_xsd(root, V2019_1)
    assert f.location == "/dossier[1]/huidigeschool[1]/leerling[1]/verzorger[2]/wettigevertegenwoordiger[1]"
    assert "ja/nee" in f.message


def test_missing_required_child_is_named():
    root = minimal_dossier()
    _drop(_ll(root).find(q("verzorger")), "wettigevertegenwoordiger")
    [f] = check_xsd(root, V2019_1)
    assert f.location == "/dossier[1]/huidigeschool[1]/leerling[1]/verzorger[1]"
    assert "ontbreekt een verplicht element" in f.message and "wettigevertegenwoordiger" in f.message


def test_a_flood_of_errors_is_capped_with_a_count():
    root = minimal_dossier()
    ll = _ll(root)
    verzorger = ll.find(q("verzorger"))
    verzorger.find(q("wettigevertegenwoordiger")).text = "misschien"
    for _ in range(MAX_FINDINGS + 39):
        ll.append(copy.deepcopy(verzorger))
    found = check_xsd(root, V2019_1)
    assert len(found) == MAX_FINDINGS + 1
    assert found[MAX_FINDINGS - 1].location.endswith(f"verzorger[{MAX_FINDINGS}]/wettigevertegenwoordiger[1]")
    assert found[-1].location == "/" and "Nog 40 schemafouten niet getoond" in found[-1].message


def test_another_version_gets_the_schema_in_its_own_namespace():
    from dataclasses import replace

    v = replace(V2019_1, name="2099.1", namespace="http://www.edustandaard.nl/oso_gegevensset/2099/dossier")
    xml = etree.tostring(minimal_dossier()).replace(NS.encode(), v.namespace.encode())
    assert check_xsd(etree.fromstring(xml), v) == []
    [f] = check_xsd(etree.fromstring(xml), V2019_1)
    assert f.location == "/dossier[1]"


def test_threads_do_not_see_each_others_errors():
    good = minimal_dossier()
    bad = minimal_dossier()
    _set(_md(bad), "datum", "gisteren")
    results: list[tuple[str, int]] = []
    errors = []

    def work(kind, root):
        try:
            for _ in range(200):
                results.append((kind, len(check_xsd(root, V2019_1))))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k, r)) for k, r in
               (("good", good), ("bad", bad), ("good", good), ("bad", bad))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert {n for k, n in results if k == "good"} == {0}
    assert {n for k, n in results if k == "bad"} == {1}


# --- large dossiers: libxml2's per-error path costs must not multiply -----------------------------------

def _many_verzorgers(n: int, bad: set[int] | None = None) -> bytes:
    """A dossier with n extra verzorgers; those at the positions in `bad` (all when None) invalid."""
    root = minimal_dossier()
    ll = _ll(root)
    v = ll.find(q("verzorger"))
    for i in range(n):
        c = copy.deepcopy(v)
        if bad is None or i in bad:
            c.find(q("wettigevertegenwoordiger")).text = "misschien"
        ll.append(c)
    return etree.tostring(root)


def test_many_errors_among_many_siblings_stay_linear():
    from oso_protocol.dossier import validate

    data = _many_verzorgers(50_000)  # the tree alone would need 50,000 sibling walks of up to 50,000 steps
    started = time.perf_counter()
    report = validate(data)
    elapsed = time.perf_counter() - started
    xsd = report.by_layer(LAYER_XSD)
    assert len(xsd) == MAX_FINDINGS + 1
    assert "'misschien' is geen geldige ja/nee-waarde" in xsd[0].message
    assert "Nog 49900 schemafouten niet getoond" in xsd[-1].message
    assert elapsed < 8, elapsed


def test_a_few_errors_in_a_large_dossier_keep_their_location():
    data = _many_verzorgers(30_000, bad={29_990})
    root = etree.fromstring(data)
    [f] = check_xsd(root, V2019_1, data)
    assert f.location == "/dossier[1]/huidigeschool[1]/leerling[1]/verzorger[29992]/wettigevertegenwoordiger[1]"
    assert check_xsd(etree.fromstring(_many_verzorgers(30_000, bad=set())), V2019_1, _many_verzorgers(30_000, bad=set())) == []
