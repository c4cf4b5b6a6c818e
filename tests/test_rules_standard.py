"""Standard layer: one failing and one passing case per rule, plus the measured mutations."""
from __future__ import annotations

import pytest

from dossier_samples import (
    EXAMPLE_NAMES, child, insert_leerling_child, leerling, load_example, minimal_dossier, q,
    set_cat, sub,
)
from oso_protocol.dossier.categories import VOSWV
from oso_protocol.dossier.codelists import CODELISTS
from oso_protocol.dossier.findings import FOUT, LAYER_STANDARD
from oso_protocol.dossier.rules import RULES, message
from oso_protocol.dossier.rules_standard import check_standard
from oso_protocol.dossier.version import V2019_1


def rules_of(root):
    return {f.rule for f in check_standard(root, V2019_1)}


def md(root):
    return child(root, "metadata")


def _set(root, path, value):
    el = root
    for p in path.split("/"):
        el = child(el, p)
    el.text = value


def _remove(parent, name):
    el = child(parent, name)
    el.getparent().remove(el)


def _school(root):
    return child(root, "huidigeschool")


def _secret(root, soort, nummer, owner="leerling"):
    ll = leerling(root)
    target = ll if owner == "leerling" else child(ll, "verzorger")
    lijst = sub(target, "communicatielijst", index=list(target).index(child(target, "adreslijst")) + 1
                if owner == "leerling" else 1)
    c = sub(lijst, "communicatie")
    sub(c, "soort", soort)
    sub(c, "nummer", nummer)
    sub(c, "geheim", "true")


def _toets(root, resultaat_children=("toetsscore",), score_children=("aantalgoed",)):
    tl = insert_leerling_child(root, "toetslijst", before="verzorger")
    t = sub(tl, "toets")
    sub(sub(t, "toetsidentificatie"), "eldtoetscode", "X")
    sub(sub(t, "afname"), "afnamedatum", "2019-01-01")
    r = sub(t, "resultaat")
    for c in resultaat_children:
        el = sub(r, c)
        if c == "toetsscore":
            for s in score_children:
                sub(el, s, "3")
    return t


def _cijfer(root, with_waarde):
    cl = sub(insert_leerling_child(root, "cijferlijstlijst", before="verzorger"), "cijferlijst")
    tl = sub(cl, "cijferlijstTypelijst")
    sub(tl, "naam", "Rapport")
    score = sub(tl, "score")
    if with_waarde:
        sub(score, "waarde", "7")
    sub(cl, "jaargroep", "7")


def _lwoo(root, einddatum):
    oo = child(leerling(root), "onderwijsondersteuning")
    l = sub(oo, "lwoo")
    for k, v in (("lwoo_ingangdatum", "2018-08-01"), ("lwoo_swvnummer", "1"),
                 ("lwoo_beschikkingsnummer", "2"), ("lwoo_einddatum", einddatum)):
        sub(l, k, v)


def _huisarts(root, extra):
    h = insert_leerling_child(root, "huisarts", before="verzorgersaansprakelijk")
    sub(h, "achternaam", "Arts")
    if extra == "roepnaam":
        sub(h, "roepnaam", "Bert")
    elif extra == "geslacht":
        sub(h, "geslacht", "1")
    elif extra == "adresgeheim":
        sub(h, "adresgeheim", "true")


def _overleden(root, overleden):
    v = child(leerling(root), "verzorger")
    idx = list(v).index(child(v, "wettigevertegenwoordiger"))
    if overleden is not None:
        sub(v, "overleden", overleden, idx)
        idx += 1
    sub(v, "overlijdensdatum", "2018-01-01", idx)


def _email(root, adres):
    c = child(child(_school(root), "communicatielijst"), "communicatie")
    child(c, "soort").text = "e-mail"
    child(c, "nummer").text = adres


def _voswv(root):
    set_cat(root, "cat_vve", "VERBODEN")
    set_cat(root, "cat_eindtoetsbo", "OPTIONEEL")
    set_cat(root, "cat_vombo", "OPTIONEEL")
    _set(root, "metadata/overstap", VOSWV)


def _verzorger_geheim(root, with_adres):
    v = child(leerling(root), "verzorger")
    sub(v, "adresgeheim", "true", 1)
    if with_adres:
        lijst = sub(v, "adreslijst", index=2)
        a = sub(lijst, "adres")
        for k, val in (("soortadres", "bezoek"), ("straat", "S"), ("nummer", "1"),
                       ("postcode", "1234AB"), ("plaats", "P")):
            sub(a, k, val)


# (rule, failing mutation, passing mutation or None): the passing case starts from the valid
# minimal dossier too, so "None" means the unmutated dossier is the passing case.
CASES = [
    ("PaO.MD01", lambda r: _set(r, "metadata/deeldossier", "LVS"),
     lambda r: _set(r, "metadata/deeldossier", "LAS")),
    ("PaO.MD02", lambda r: _set(r, "metadata/validatieversie", "2019.1"), None),
    ("PaO.MD03", lambda r: _remove(md(r), "categorie_uitlevering"), None),
    ("PaO.SO01", lambda r: _remove(md(r), "overstap"), None),
    ("PaO.SO02", lambda r: _set(r, "metadata/overstap", "POVO"), lambda r: _voswv(r)),
    ("PaO.SO03", lambda r: _set(r, "overdrachtsoort", "overstapdossier"), None),
    ("PaO.SL01", lambda r: _remove(_school(r), "adreslijst"), None),
    ("PaO.SL02", lambda r: _remove(_school(r), "communicatielijst"), None),
    ("PaO.LL01", lambda r: _remove(leerling(r), "voornaam"), None),
    ("PaO.LL02", lambda r: _remove(leerling(r), "geboortedatum"), None),
    ("PaO.LL03", lambda r: (_remove(leerling(r), "geboortedatum"),
                            insert_leerling_child(r, "geboortemaand", "2010-03", before="geslacht")),
     None),
    ("PaO.LL04", lambda r: _remove(leerling(r), "adresgeheim"), None),
    ("PaO.LL05", lambda r: _remove(leerling(r), "adreslijst"),
     lambda r: (_remove(leerling(r), "adreslijst"),
                insert_leerling_child(r, "adresbuitenland", "London", before="leerlingid"))),
    ("PaO.LL06", lambda r: _set(r, "huidigeschool/leerling/adresgeheim", "true"),
     lambda r: (_set(r, "huidigeschool/leerling/adresgeheim", "true"),
                _remove(leerling(r), "adreslijst"))),
    ("PaO.LL07", lambda r: (_remove(leerling(r), "adreslijst"),
                            insert_leerling_child(r, "postcode4adres", "1234", before="leerlingid")),
     None),
    ("PaO.LL08", lambda r: _secret(r, "telefoon", "0612345678"),
     lambda r: _secret(r, "telefoon", "9999999999")),
    ("PaO.OV04", lambda r: _secret(r, "e-mail", "x@y.nl", owner="verzorger"),
     lambda r: _secret(r, "e-mail", "geheim@geheim.geheim", owner="verzorger")),
    ("PaO.LL09", lambda r: (_set(r, "huidigeschool/leerling/adresgeheim", "true"),
                            _remove(leerling(r), "adreslijst"),
                            insert_leerling_child(r, "adresbuitenland", "London", before="leerlingid")),
     None),
    ("PaO.LL10", lambda r: insert_leerling_child(r, "geboorteplaats", "Ede", before="leerlingid"), None),
    ("PaO.LL11", lambda r: insert_leerling_child(r, "nationaliteit", "0001", before="leerlingid"), None),
    ("PaO.LL12", lambda r: insert_leerling_child(r, "bsn", "123456782", before="leerlingid"), None),
    ("PaO.LL12", lambda r: insert_leerling_child(r, "onderwijsnummer", "1", before="leerlingid"), None),
    ("PaO.VV01", lambda r: (_voswv(r), insert_leerling_child(r, "vanpeuterspeelzaal", "true",
                                                              before="schoolloopbaanlijst")),
     lambda r: insert_leerling_child(r, "vanpeuterspeelzaal", "true", before="schoolloopbaanlijst")),
    ("PaO.VV02", lambda r: (_voswv(r), insert_leerling_child(r, "naampeuterspeelzaal", "P",
                                                              before="schoolloopbaanlijst")), None),
    ("PaO.VV03", lambda r: (_voswv(r), sub(sub(leerling(r), "voorschools",
                                               index=list(leerling(r)).index(child(leerling(r), "schoolloopbaanlijst"))),
                                           "codevoorschoolsprogramma", "1")), None),
    ("PaO.VV04", lambda r: (_voswv(r), insert_leerling_child(r, "vroegschools",
                                                              before="schoolloopbaanlijst")), None),
    ("PaO.SL01", lambda r: _remove(leerling(r), "schoolloopbaanlijst"), None),
    ("PaO.EB01", lambda r: sub(insert_leerling_child(r, "eindtoets_basisonderwijs", before="verzorger"),
                               "deelgenomen", "true"),
     lambda r: (_voswv(r), sub(insert_leerling_child(r, "eindtoets_basisonderwijs", before="verzorger"),
                               "deelgenomen", "true"))),
    ("PaO.OV01", lambda r: _remove(leerling(r), "verzorger"),
     lambda r: (_remove(leerling(r), "verzorger"),
                _set(r, "huidigeschool/leerling/verzorgersaansprakelijk", "false"))),
    ("PaO.VM01", lambda r: insert_leerling_child(r, "bevorderd"), lambda r: (_voswv(r), insert_leerling_child(r, "bevorderd"))),
    ("PaO.VM02", lambda r: insert_leerling_child(r, "examenresultaat"), None),
    ("PaO.VM03", lambda r: insert_leerling_child(r, "resultaatvakkenvo"), None),
    ("PaO.VM04", lambda r: insert_leerling_child(r, "certificaat", "C"), None),
    ("PaO.VM05", lambda r: insert_leerling_child(r, "competenties"), None),
    ("PaO.VM06", lambda r: insert_leerling_child(r, "stage"), None),
    ("PaO.VM07", lambda r: insert_leerling_child(r, "overigvombo"), None),
    ("PaO.OV03", lambda r: _verzorger_geheim(r, True), lambda r: _verzorger_geheim(r, False)),
    ("PaO.OV05", lambda r: sub(child(leerling(r), "verzorger"), "banknummer", "123"),
     lambda r: sub(child(leerling(r), "verzorger"), "iban", "NL00BANK0123456789")),
    ("PaO.TR01", lambda r: _toets(r, resultaat_children=()), lambda r: _toets(r)),
    ("PaO.TR02", lambda r: _toets(r, score_children=()), lambda r: _toets(r)),
    ("PaO.CL01", lambda r: _cijfer(r, False), lambda r: _cijfer(r, True)),
    ("OG.01", lambda r: _email(r, "geen-at-teken"), lambda r: _email(r, "school@example.nl")),
    ("OG.01", lambda r: _email(r, "a@"), None),
    ("OG.02", lambda r: _set(r, "metadata/standaardversie", "2018.1"), None),
    ("OG.03", lambda r: _lwoo(r, "2020-08-01"), lambda r: _lwoo(r, "2020-07-31")),
    ("OG.04", lambda r: _overleden(r, None), lambda r: _overleden(r, "true")),
    ("OG.04", lambda r: _overleden(r, "false"), None),
    ("OG.05", lambda r: _huisarts(r, "roepnaam"), lambda r: _huisarts(r, None)),
    ("OG.05", lambda r: _huisarts(r, "geslacht"), None),
    ("OG.05", lambda r: _huisarts(r, "adresgeheim"), None),
    ("CL14", lambda r: _set(r, "huidigeschool/leerling/geslacht", "7"),
     lambda r: _set(r, "huidigeschool/leerling/geslacht", "0")),
    ("CL13", lambda r: _set(r, "huidigeschool/leerling/schoolloopbaanlijst/schoolloopbaan/jaargroep", "9"),
     lambda r: _set(r, "huidigeschool/leerling/schoolloopbaanlijst/schoolloopbaan/jaargroep", "S")),
    ("CL16", lambda r: _set(r, "metadata/overstap", "XX"), None),
    ("CL19", lambda r: _set(r, "huidigeschool/adreslijst/adres/soortadres", "woon"), None),
    ("CL29", lambda r: _set(r, "overdrachtsoort", "iets"), None),
    ("CL33", lambda r: _set(r, "metadata/deeldossier", "ALLES"),
     lambda r: _set(r, "metadata/deeldossier", "TIB")),
    ("CL48", lambda r: set_cat(r, "cat_vve", "JA"), None),
    ("OS.cat01", lambda r: set_cat(r, "cat_metadata", "OPT-UIT"), None),
    ("OS.cat02", lambda r: (set_cat(r, "cat_ouderinzage", "OPT-UIT"),
                            sub(sub(r, "inzage", index=2), "voorlopigdossier", "false")),
     lambda r: sub(sub(r, "inzage", index=2), "voorlopigdossier", "false")),
    ("OS.cat05", lambda r: _remove(leerling(r), "verzorger") or
     _remove(leerling(r), "verzorgersaansprakelijk"), None),
    ("OS.cat06", lambda r: (set_cat(r, "cat_vve", "OPT-UIT"),
                            insert_leerling_child(r, "vroegschools", before="schoolloopbaanlijst")), None),
    ("OS.cat07", lambda r: _remove(leerling(r), "schoolloopbaanlijst"), None),
    ("OS.cat08", lambda r: (set_cat(r, "cat_overstapadvies", "VERPLICHT")), None),
    ("OS.cat09", lambda r: _remove(leerling(r), "onderwijsondersteuning"), None),
    ("OS.cat10", lambda r: (set_cat(r, "cat_verzuim", "VERBODEN"),
                            insert_leerling_child(r, "verzuim", before="verzorger")),
     lambda r: insert_leerling_child(r, "verzuim", before="verzorger")),
    ("OS.cat11", lambda r: (set_cat(r, "cat_eindtoetsbo", "VERPLICHT")), None),
    ("OS.cat120", lambda r: (set_cat(r, "cat_toetsresultaten", "OPT-UIT"), _toets(r)),
     lambda r: _toets(r)),
    ("OS.cat13", lambda r: (set_cat(r, "cat_handelingsplannen", "OPT-UIT"),
                            [sub(h, k, v) for h in [sub(child(leerling(r), "onderwijsondersteuning"), "handelingsplan")]
                             for k, v in (("startdatum", "2019-01-01"), ("isgerichtop", "lezen"))]), None),
    ("OS.cat14", lambda r: set_cat(r, "cat_cijferlijsten", "VERPLICHT"), lambda r: (
        set_cat(r, "cat_cijferlijsten", "VERPLICHT"), _cijfer(r, True))),
    ("OS.cat15", lambda r: set_cat(r, "cat_vombo", "VERPLICHT"), None),
    ("OS.cat16", lambda r: (set_cat(r, "cat_bijlagedocs", "VERBODEN"),
                            sub(sub(insert_leerling_child(r, "overigdocumentlijst", before="verzorger"),
                                    "document"), "bestandsnaam", "x")), None),
]


@pytest.mark.parametrize("rule,fail,ok", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fails_and_passes(rule, fail, ok):
    root = minimal_dossier()
    fail(root)
    findings = [f for f in check_standard(root, V2019_1) if f.rule == rule]
    assert findings, f"{rule} not reported"
    assert all(f.layer == LAYER_STANDARD and f.severity == FOUT for f in findings)
    good = minimal_dossier()
    if ok is not None:
        ok(good)
    assert rule not in rules_of(good)


def test_every_applicable_standard_rule_has_a_failing_case():
    tested = {c[0] for c in CASES}
    tested |= {f"CL{c.number}" for c in CODELISTS}  # covered by test_each_code_list below
    wanted = {r.id for r in RULES.values() if r.layer == LAYER_STANDARD and r.applicable}
    assert wanted - tested == set()


def test_minimal_dossiers_are_clean():
    assert check_standard(minimal_dossier(), V2019_1) == []
    assert check_standard(minimal_dossier(VOSWV), V2019_1) == []


def test_each_code_list():
    """Every code list entry: its first allowed value passes, an unlisted one fails, in place."""
    from lxml import etree

    for cl in CODELISTS:
        root = etree.Element(q("dossier"))
        el = root
        for name in cl.chain:
            el = sub(el, name)
        el.text = sorted(cl.values)[0]
        assert f"CL{cl.number}" not in rules_of(root), cl
        el.text = "§ongeldig§"
        hits = [f for f in check_standard(root, V2019_1) if f.rule == f"CL{cl.number}"]
        assert len(hits) == 1 and hits[0].message == cl.message(), cl
        assert hits[0].location.startswith("/dossier[1]/")


def test_aanduiding_lists_told_apart_by_parent():
    root = minimal_dossier()
    adres = child(child(child(root, "huidigeschool"), "adreslijst"), "adres")
    sub(adres, "aanduiding", "werk", index=3)  # a communicatie value in an adres: list 18
    assert {f.rule for f in check_standard(root, V2019_1) if f.rule.startswith("CL")} == {"CL18"}


def test_locations_and_texts():
    root = minimal_dossier()
    insert_leerling_child(root, "bsn", "123456782", before="leerlingid")
    set_cat(root, "cat_verzuim", "VERBODEN")
    insert_leerling_child(root, "verzuim", before="verzorger")
    by = {f.rule: f for f in check_standard(root, V2019_1)}
    assert by["PaO.LL12"].location == "/dossier[1]/huidigeschool[1]/leerling[1]"
    assert by["PaO.LL12"].message == "BSN of onderwijsnummer is verboden bij een leerling in een SWV-dossier."
    assert by["OS.cat10"].location == "/"
    assert by["OS.cat10"].message == ('Een dossier mag geen gegevens uit de categorie "Verzuim" '
                                      "bevatten wanneer deze categorie is verboden.")
    set_cat(root, "cat_verzuim", "OPT-UIT")
    cat10 = [f for f in check_standard(root, V2019_1) if f.rule == "OS.cat10"]
    assert cat10[0].message.endswith("wanneer deze categorie is uitgezet.")


def test_secret_communicatie_location_and_school_falls_under_ll08():
    root = minimal_dossier()
    c = child(child(child(root, "huidigeschool"), "communicatielijst"), "communicatie")
    sub(c, "geheim", "true")
    hits = [f for f in check_standard(root, V2019_1) if f.rule == "PaO.LL08"]
    assert [h.location for h in hits] == ["/dossier[1]/huidigeschool[1]/communicatielijst[1]/communicatie[1]"]
    assert hits[0].message == message("PaO.LL08", "telefoon")


def test_pao_rules_gated_but_md01_and_common_rules_not():
    root = minimal_dossier()
    _set(root, "overdrachtsoort", "overstapdossier")
    _set(root, "metadata/deeldossier", "LVS")
    insert_leerling_child(root, "bsn", "1", before="leerlingid")
    _set(root, "huidigeschool/leerling/geslacht", "7")
    assert rules_of(root) == {"PaO.SO03", "PaO.MD01", "CL14"}


def test_d1_toelichting_invisible_to_os_cat09():
    root = minimal_dossier()
    set_cat(root, "cat_onderwijsondersteuning", "VERBODEN")
    assert "OS.cat09" not in rules_of(root)


def test_version_literals_come_from_the_version_argument():
    from dataclasses import replace

    v = replace(V2019_1, standaardversie="2024.1", validatieversie="2024.1.0")
    root = minimal_dossier()
    rules = {f.rule: f for f in check_standard(root, v)}
    assert {"OG.02", "PaO.MD02"} <= set(rules)
    assert '"2024.1"' in rules["OG.02"].message


# --- the official examples --------------------------------------------------------------------

@pytest.mark.interop
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_official_examples_have_no_standard_findings(name):
    assert check_standard(load_example(name), V2019_1) == []


def _poswv():
    return load_example("Voorbeelddossier_PaO_POSWV_full.xml")


def _ex_insert_before(root, name, text, before):
    ll = leerling(root)
    sub(ll, name, text, list(ll).index(child(ll, before)))


@pytest.mark.interop
def test_m1_bsn_gives_ll12():
    root = _poswv()
    _ex_insert_before(root, "bsn", "123456782", "leerlingid")
    f = check_standard(root, V2019_1)
    assert [(x.rule, x.location) for x in f] == [("PaO.LL12", "/dossier[1]/huidigeschool[1]/leerling[1]")]


@pytest.mark.interop
def test_m3_verzuim_verboden_gives_os_cat10():
    root = _poswv()
    set_cat(root, "cat_verzuim", "VERBODEN")
    assert [x.rule for x in check_standard(root, V2019_1)] == ["OS.cat10"]


@pytest.mark.interop
def test_geslacht_7_gives_cl14():
    root = _poswv()
    _set(root, "huidigeschool/leerling/geslacht", "7")
    assert [x.rule for x in check_standard(root, V2019_1)] == ["CL14"]


@pytest.mark.interop
def test_m2_toelichting_removed_no_standard_finding():
    root = _poswv()
    oo = child(leerling(root), "onderwijsondersteuning")
    oo.remove(child(oo, "toelichting_onderwijsbehoeften"))
    assert check_standard(root, V2019_1) == []


@pytest.mark.interop
def test_x4_only_toelichting_left_no_os_cat09():
    root = _poswv()
    set_cat(root, "cat_onderwijsondersteuning", "VERBODEN")
    oo = child(leerling(root), "onderwijsondersteuning")
    for el in list(oo):
        if el.tag != q("toelichting_onderwijsbehoeften"):
            oo.remove(el)
    set_cat(root, "cat_handelingsplannen", "OPTIONEEL")
    assert "OS.cat09" not in rules_of(root)


@pytest.mark.interop
def test_x6_overstapdossier_gives_only_so03():
    root = _poswv()
    _set(root, "overdrachtsoort", "overstapdossier")
    assert [x.rule for x in check_standard(root, V2019_1)] == ["PaO.SO03"]


@pytest.mark.interop
def test_x5_cat_vve_ja_gives_cl48():
    root = _poswv()
    set_cat(root, "cat_vve", "JA")
    assert [x.rule for x in check_standard(root, V2019_1)] == ["CL48"]
