"""Steps about the aanvraag SWV-dossier as the SWV received it."""
from __future__ import annotations

import hashlib

from lxml import etree
from pytest_bdd import parsers, then

from oso_protocol.dossier.categories import BY_ELEMENT, CATEGORIES, OPT_UIT, OPTIONEEL, PROFILE_MATRIX, VERBODEN, VERPLICHT, allowed_declarations
from oso_protocol.dossier.version import NS

from harness.conformance.outcomes import not_verified
from harness.evidence.messages import dossier_of

from .common import profile_of


def _root(ctx):
    assert ctx.dossier, "er is geen dossier ontvangen om te bekijken"
    return etree.fromstring(ctx.dossier)


def _find(root, path: str):
    return root.find("./" + "/".join(f"{{{NS}}}{p}" for p in path.split("/")))


def _declared(root) -> dict[str, str]:
    cu = _find(root, "metadata/categorie_uitlevering")
    assert cu is not None, "dossier mist metadata/categorie_uitlevering (PaO.MD03)"
    return {etree.QName(c).localname: (c.text or "").strip() for c in cu}


def _declarations(wrong: dict) -> str:
    return ", ".join(f"{cat} als {value or 'niets'}" for cat, value in wrong.items())


def _present(root, cat: str) -> list[str]:
    return [p for p in BY_ELEMENT[cat].paths if _find(root, p) is not None]


def validate_dossier(data: bytes):
    from oso_protocol.dossier import validate
    return validate(data)


@then("bevat het dossier onderwijsondersteuning/toelichting_onderwijsbehoeften")
def has_toelichting(ctx):
    el = _find(_root(ctx), "huidigeschool/leerling/onderwijsondersteuning/toelichting_onderwijsbehoeften")
    assert el is not None and len(el), "OSS.ZV01: dossier mist onderwijsondersteuning/toelichting_onderwijsbehoeften"


@then(parsers.parse('bevat het dossier "{text}" niet'))
def not_contains(ctx, text):
    assert text.encode() not in ctx.dossier, f"het dossier bevat “{text}”: gegevens van na het verzenden"


@then(parsers.parse('bevat het dossier "{text}"'))
def contains(ctx, text):
    assert text.encode() in ctx.dossier, f"het dossier bevat “{text}” niet"


@then("bevat geen enkel VO-dossier VVE")
def no_vve(env, ctx):
    if not ctx.sent.sent:
        # Refusing to send a ticked VVE block for a VO pupil is conforming too: nothing leaves.
        assert ctx.sent.refused and "VVE" in (ctx.sent.fout or ""), \
            f"zorgvraag niet verzonden, maar niet door de LAS om VVE geweigerd: {ctx.sent.describe()}"
        return
    from .swv_steps import swv_has_fetched
    swv_has_fetched(env, ctx)
    declared_and_absent(ctx, "cat_vve", VERBODEN)


@then("draagt geen enkel bericht van de uitwisseling een PGN")
def no_pgn_anywhere(env, ctx):
    """PaO.LL12 over everything that travelled: SOAP bodies, the dossier's texts and attributes,
    attachment names and descriptions, ZIP members, text inside PDFs; the pupil's own numbers and
    any 9-digit number that passes the BSN elfproef."""
    from oso_protocol.pgn_scan import scan_run

    messages = env.messages()
    assert any(dossier_of(r.get("xml") or "") for r in messages), \
        "geen documentResponse met dossier in de berichten: er is niets om te scannen"
    result = scan_run(messages, list(ctx.pupil.pgn))
    assert not result.hits, "PaO.LL12: PGN gevonden in " + "; ".join(h.describe() for h in result.hits[:5])
    if result.notes:
        not_verified("niet alles was te scannen: " + "; ".join(n.describe() for n in result.notes[:3]))


@then("bevat het dossier geen BSN en geen onderwijsnummer")
def no_pgn(ctx):
    from oso_protocol.pgn_scan import digest, mask, xpath

    root = _root(ctx)
    found = [el for el in root.iter()
             if isinstance(el.tag, str) and etree.QName(el).localname in ("bsn", "onderwijsnummer")]

    def shown(el) -> str:
        # which number, provable by its hash, without printing it
        value = (el.text or "").strip()
        number = (f"{mask(value)} (sha256 {digest(value)[:16]}\u2026)" if any(c.isdigit() for c in value)
                  else "zonder nummer")
        return f"{etree.QName(el).localname} {number} in {xpath(el)}"
    assert not found, f"PaO.LL12: dossier bevat {'; '.join(shown(el) for el in found)}"


@then("is elke optionele categorie gedeclareerd als OPT-UIT en afwezig")
def optional_opt_uit(ctx):
    root = _root(ctx)
    declared = _declared(root)
    profile = profile_of(ctx.sector)  # what the dossier must follow, not what it claims
    for cat in CATEGORIES:
        if PROFILE_MATRIX[profile][cat.element] != OPTIONEEL or cat.element in ("cat_ouderinzage",):
            continue
        assert declared.get(cat.element) == OPT_UIT, \
            f"OSS.PM01: {cat.element} niet aangevinkt maar gedeclareerd als {declared.get(cat.element) or 'niets'}"
        assert not _present(root, cat.element), \
            f"{cat.rule or cat.element}: {cat.element} is OPT-UIT maar bevat {', '.join(_present(root, cat.element))}"


@then("is elke verplichte categorie gedeclareerd als VERPLICHT")
def verplicht_declared(ctx):
    declared = _declared(_root(ctx))
    profile = profile_of(ctx.sector)
    wrong = {c: declared.get(c) for c, v in PROFILE_MATRIX[profile].items() if v == VERPLICHT and declared.get(c) != VERPLICHT}
    assert not wrong, f"OSS.PM01: verplichte categorieen niet als VERPLICHT gedeclareerd: {_declarations(wrong)}"


@then(parsers.re(r"is categorie (?P<cat>\w+) gedeclareerd als (?P<value>[A-Z-]+) en afwezig"))
def declared_and_absent(ctx, cat, value):
    root = _root(ctx)
    got = _declared(root).get(cat)
    rule = BY_ELEMENT[cat].rule or "OSS.PM01"
    assert got == value, f"{rule}: {cat} gedeclareerd als {got or 'niets'}, verwacht {value}"
    assert not _present(root, cat), f"{rule}: {cat} is {value} maar het dossier bevat {', '.join(_present(root, cat))}"


@then(parsers.re(r"is categorie (?P<cat>\w+) gedeclareerd als (?P<value>[A-Z-]+)"))
def declared(ctx, cat, value):
    got = _declared(_root(ctx)).get(cat)
    assert got == value, f"{cat} gedeclareerd als {got or 'niets'}, verwacht {value}"


@then(parsers.parse("declareert het dossier profiel {profile}"))
def declares_profile(ctx, profile):
    el = _find(_root(ctx), "metadata/overstap")
    assert el is not None and el.text == profile, \
        f"PaO.SO01: metadata/overstap is {el.text if el is not None else 'afwezig'}, verwacht {profile}"


@then(parsers.parse("is elke categorie gedeclareerd zoals de profielmatrix van {profile} toestaat"))
def matrix(ctx, profile):
    declared_ = _declared(_root(ctx))
    wrong = {c.element: declared_.get(c.element) for c in CATEGORIES
             if declared_.get(c.element) not in allowed_declarations(profile, c.element)}
    assert not wrong, f"OSS.PM01: declaraties buiten de profielmatrix van {profile}: {_declarations(wrong)}"


@then(parsers.parse("bevat het dossier de {n:d} bijlagen met naam en inhoud"))
def carries_bijlagen(env, ctx, n):
    from harness.conformance.drivers.las import bijlage_files
    from harness.conformance.zorgvraag_view import file_sha256

    lijst = _find(_root(ctx), "huidigeschool/leerling/overigdocumentlijst")
    got = set()
    for doc in (lijst if lijst is not None else []):
        naam = doc.find(f"{{{NS}}}bestandsnaam")
        inhoud = doc.find(f"{{{NS}}}bestandsinhoud")
        got.add(((naam.text if naam is not None else None),
                 file_sha256(inhoud.text if inhoud is not None else None)))
    want = {(name, hashlib.sha256(data).hexdigest()) for name, data in bijlage_files(n, env.run_token)}

    def listed(pairs):
        return "; ".join(f"{name or '(zonder naam)'} (sha256 {(sha or '-')[:16]})" for name, sha in sorted(
            pairs, key=lambda p: (p[0] or "", p[1] or ""))) or "geen"
    assert want <= got, (f"bijlagen niet ongeschonden in overigdocumentlijst: verwacht {listed(want)};"
                         f" ontbrekend of anders: {listed(want - got)}; in het dossier: {listed(got)}")


@then("doorstaat het dossier de volledige validatie")
def passes_validator(ctx):
    report = validate_dossier(ctx.dossier)
    fouten = [f"{f.rule} [{f.layer}] {f.location}: {f.message}" for f in report.findings if f.severity == "fout"]
    assert report.valid, "dossier ongeldig: " + "; ".join(fouten[:5])

