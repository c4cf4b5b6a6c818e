"""The business rules of gegevensset 2019.1 (layer "standard"), as the official stylesheets apply them.

`check_standard(root, version)` reports what the official SWV validation reports, under the
official rule ids and texts (catalogue: rules.py), including its quirks: OS.cat09 does not see
toelichting_onderwijsbehoeften when the category is VERBODEN/OPT-UIT (D1), PaO.SL01 names two
rules (D2), and PaO.ZB01/02 are never reported (D3).

Speed matters (it runs on every dossier an actor receives): the tree is walked once, in C, for the
few element names that rules look at anywhere in the document; everything else is a direct child
lookup. No XPath is evaluated over the whole tree per rule.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from . import codelists
from .categories import CATEGORIES, OPT_UIT, POSWV, VERBODEN, VERPLICHT, VOSWV
from .findings import FOUT, LAYER_STANDARD, Finding
from .rules import message
from .version import GegevenssetVersion

SWV_DOSSIER = "swv-dossier"
DOCUMENT = "/"  # location of document-level rules (the official output says "/[1]")

# The DUO pattern from the official OG.01 check; like XPath matches() it is not anchored at the start.
_EMAIL = re.compile(
    r"[a-zA-Z0-9!#$%*+=?^_`{|}~.-]+@[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?"
    r"(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*\Z"
)
_LWOO_EINDDATUM = re.compile(r"[0-9]{4}-07-31")
_MASKS = {"telefoon": "9999999999", "e-mail": "geheim@geheim.geheim"}

# Elements that rules inspect wherever they occur; collected in one pass.
_ANYWHERE = ("communicatie", "resultaat", "toetsscore", "score", "lwoo_einddatum")

_VV = (("PaO.VV01", "vanpeuterspeelzaal"), ("PaO.VV02", "naampeuterspeelzaal"),
       ("PaO.VV03", "voorschools"), ("PaO.VV04", "vroegschools"))
_VM = (("PaO.VM01", "bevorderd"), ("PaO.VM02", "examenresultaat"), ("PaO.VM03", "resultaatvakkenvo"),
       ("PaO.VM04", "certificaat"), ("PaO.VM05", "competenties"), ("PaO.VM06", "stage"),
       ("PaO.VM07", "overigvombo"))
_TOETSSCORE = ("aantalopgaven", "aantalgoed", "aantalfout", "aantalgelezen", "tijd", "vaardigheidsscore")

# Paths of the category rules are relative to the dossier root; they sit at one of three depths.
_LEERLING = "huidigeschool/leerling/"
_OO = _LEERLING + "onderwijsondersteuning/"
# D1: the official VERBODEN/OPT-UIT test for OS.cat09 names "toelichting_onderwijsbehoefte",
# which matches nothing; the VERPLICHT test uses the right name.
_D1_BLIND = _OO + "toelichting_onderwijsbehoeften"


@dataclass(frozen=True)
class _Cat:
    rule: str
    element: str                 # qualified cat_* tag
    verplicht: tuple             # (level, qualified tag) pairs that satisfy VERPLICHT
    verboden: tuple              # pairs that VERBODEN / OPT-UIT forbid


class _Names:
    """Qualified tag names for one namespace, built once per namespace."""

    def __init__(self, ns: str):
        self.ns = ns
        self.prefix = "{%s}" % ns

    def __getattr__(self, local: str) -> str:
        # Only called for names not yet cached; later lookups are plain attribute reads.
        q = self.prefix + local
        setattr(self, local, q)
        return q

    def q(self, local: str) -> str:
        return self.prefix + local


@lru_cache(maxsize=8)
def _compiled(ns: str):
    n = _Names(ns)
    cl_tags = {n.q(name): tuple((c, tuple(n.q(a) for a in reversed(c.chain[:-1])))
                                for c in lists)
               for name, lists in codelists.BY_ELEMENT.items()}
    iter_tags = tuple(set(cl_tags) | {n.q(t) for t in _ANYWHERE})

    def level(path: str) -> tuple[str, str]:
        if path.startswith(_OO):
            return "oo", n.q(path[len(_OO):])
        if path.startswith(_LEERLING):
            return "leerling", n.q(path[len(_LEERLING):])
        return "root", n.q(path)

    cats = tuple(
        _Cat(c.rule, n.q(c.element),
             tuple(level(p) for p in c.paths),
             tuple(level(p) for p in c.paths if p != _D1_BLIND))
        for c in CATEGORIES if c.paths
    )
    return n, cl_tags, iter_tags, cats


def xpath_location(el) -> str:
    """Location in the official style: /dossier[1]/huidigeschool[1]/leerling[1].

    The positions (same-tag preceding siblings + 1) come from libxml2 in one call, as lxml's
    ElementPath of the element, which writes "[n]" only where a same-tag sibling exists; its
    steps are matched against the known tags of the ancestors, so a namespace URI with "/" or
    "[" in it cannot be misread.
    """
    tags = []
    top = el
    parent = el.getparent()
    while parent is not None:
        tags.append(top.tag)
        top = parent
        parent = top.getparent()
    parts = ["/%s[1]" % _local(top.tag)]  # the root element has no element siblings
    if tags:
        path = top.getroottree().getelementpath(el)
        i = 0
        for tag in reversed(tags):
            i += len(tag)
            if path.startswith("[", i):
                j = path.index("]", i)
                parts.append("/%s[%s]" % (_local(tag), path[i + 1:j]))
                i = j + 2
            else:
                parts.append("/%s[1]" % _local(tag))
                i += 1
    return "".join(parts)


def _local(tag: str) -> str:
    # A local name cannot contain "}", a namespace URI can.
    return tag[tag.rfind("}") + 1:]


def _text(el) -> str | None:
    return None if el is None else el.text


def _true(el) -> bool:
    # xs:boolean(): "true" and "1" are true; a missing element is false.
    return el is not None and (el.text or "").strip() in ("true", "1")


def check_standard(root, version: GegevenssetVersion) -> list[Finding]:
    n, cl_tags, iter_tags, cats = _compiled(version.namespace)
    out: list[Finding] = []

    def add(rule, el, variant="", **kw):
        loc = DOCUMENT if el is None else xpath_location(el)
        out.append(Finding(rule, LAYER_STANDARD, FOUT, loc, message(rule, variant, **kw)))

    metadata = root.find(n.metadata)
    overdrachtsoort = root.find(n.overdrachtsoort)
    school = root.find(n.huidigeschool)
    leerling = school.find(n.leerling) if school is not None else None
    swv = _text(overdrachtsoort) == SWV_DOSSIER
    overstap = _text(metadata.find(n.overstap)) if metadata is not None else None

    # One pass, in C, over the elements rules look at anywhere in the document.
    found: dict[str, list] = {}
    for el in root.iter(*iter_tags):
        found.setdefault(el.tag, []).append(el)

    _code_lists(found, cl_tags, metadata, n, add)
    _common(found, metadata, leerling, n, version, add)
    _categories(root, metadata, leerling, cats, n, add)
    if metadata is not None:
        _pao_metadata(metadata, swv, overstap, n, version, add)
    if swv:
        if school is not None:
            _pao_school(school, n, add)
        if leerling is not None:
            _pao_leerling(leerling, overstap, found, n, add)
        for el in found.get(n.resultaat, ()):
            if (el.find(n.toetsscore) is None and el.find(n.referentiescore) is None
                    and el.find(n.document) is None):
                add("PaO.TR01", el)
        for el in found.get(n.toetsscore, ()):
            if all(el.find(n.q(c)) is None for c in _TOETSSCORE):
                add("PaO.TR02", el)
        for el in found.get(n.score, ()):
            if el.find(n.waarde) is None and el.find(n.kwalificatie) is None:
                add("PaO.CL01", el)
    return out


def _code_lists(found, cl_tags, metadata, n, add):
    for tag, lists in cl_tags.items():
        for el in found.get(tag, ()):
            for cl, ancestors in lists:
                parent = el.getparent()
                for a in ancestors:
                    if parent is None or parent.tag != a:
                        break
                    parent = parent.getparent()
                else:
                    # The ancestor chain must itself sit below some element (/descendant::*/...).
                    if parent is not None and el.text not in cl.values:
                        add(cl.rule, el, cl.label)
                    break
    deeldossier = metadata.find(n.deeldossier) if metadata is not None else None
    if _text(deeldossier) not in codelists.DEELDOSSIER.values:
        add("CL33", None, codelists.DEELDOSSIER.label)


def _common(found, metadata, leerling, n, version, add):
    for el in found.get(n.communicatie, ()):
        if _text(el.find(n.soort)) != "e-mail":
            continue
        adres = _text(el.find(n.nummer)) or ""
        # Each failing condition is a melding of its own, as in the official stylesheet.
        if len(adres) < 4:
            add("OG.01", el, "min")
        if len(adres) > 256:
            add("OG.01", el, "max")
        if "@" not in adres:
            add("OG.01", el, "at")
        if not _EMAIL.search(adres):
            add("OG.01", el, "regex")
    if metadata is not None:
        sv = metadata.find(n.standaardversie)
        if sv is not None and sv.text != version.standaardversie:
            add("OG.02", sv, literal=version.standaardversie)
    for el in found.get(n.lwoo_einddatum, ()):
        if not _LWOO_EINDDATUM.search(el.text or ""):
            add("OG.03", el)
    if leerling is None:
        return
    for v in leerling.iterchildren(n.verzorger):
        if v.find(n.overlijdensdatum) is not None and not _true(v.find(n.overleden)):
            add("OG.04", v)
    for h in leerling.iterchildren(n.huisarts):
        if h.find(n.roepnaam) is not None:
            add("OG.05", h, "roepnaam")
        if h.find(n.geslacht) is not None:
            add("OG.05", h, "geslacht")
        if _true(h.find(n.adresgeheim)):
            add("OG.05", h, "adresgeheim")


def _categories(root, metadata, leerling, cats, n, add):
    cu = metadata.find(n.categorie_uitlevering) if metadata is not None else None
    if cu is None:
        return
    present = {"root": {c.tag for c in root}}
    present["leerling"] = {c.tag for c in leerling} if leerling is not None else set()
    oo = leerling.find(n.onderwijsondersteuning) if leerling is not None else None
    present["oo"] = {c.tag for c in oo} if oo is not None else set()
    for cat in cats:
        value = _text(cu.find(cat.element))
        if value == VERPLICHT:
            if not any(tag in present[lvl] for lvl, tag in cat.verplicht):
                add(cat.rule, None, "verplicht")
        elif value in (VERBODEN, OPT_UIT):
            if any(tag in present[lvl] for lvl, tag in cat.verboden):
                add(cat.rule, None, "verboden" if value == VERBODEN else "uitgezet")
        # OPTIONEEL: no check. Any other value is reported by CL48.


def _pao_metadata(metadata, swv, overstap, n, version, add):
    # PaO.MD01 is the one rule that is not gated on overdrachtsoort.
    if _text(metadata.find(n.deeldossier)) not in ("LAS", "LASLVS"):
        add("PaO.MD01", metadata)
    if not swv:
        add("PaO.SO03", metadata)
        return
    if _text(metadata.find(n.validatieversie)) != version.validatieversie:
        add("PaO.MD02", metadata)
    if metadata.find(n.categorie_uitlevering) is None:
        add("PaO.MD03", metadata)
    if metadata.find(n.overstap) is None:
        add("PaO.SO01", metadata)
    if overstap not in (POSWV, VOSWV):
        add("PaO.SO02", metadata)


def _pao_school(school, n, add):
    if school.find(n.adreslijst + "/" + n.adres) is None:
        add("PaO.SL01", school, "school")
    if school.find(n.communicatielijst + "/" + n.communicatie) is None:
        add("PaO.SL02", school)


def _pao_leerling(ll, overstap, found, n, add):
    has = {c.tag for c in ll}
    geheim = _true(ll.find(n.adresgeheim))
    heeft_adres = ll.find(n.adreslijst + "/" + n.adres) is not None
    if n.voornaam not in has:
        add("PaO.LL01", ll)
    if n.geboortedatum not in has:
        add("PaO.LL02", ll)
    if n.geboortemaand in has:
        add("PaO.LL03", ll)
    if n.adresgeheim not in has:
        add("PaO.LL04", ll)
    if not heeft_adres and n.adresbuitenland not in has and not geheim:
        add("PaO.LL05", ll)
    if geheim and heeft_adres:
        add("PaO.LL06", ll)
    if n.postcode4adres in has:
        add("PaO.LL07", ll)
    # D7: the official stylesheet checks every communicatie in the document from inside the
    # leerling template, so school, huisarts and instelling communicatie fall under PaO.LL08 too.
    # A verzorger's communicatie is reported under PaO.OV04, the id the standard gives it.
    for c in found.get(n.communicatie, ()):
        if not _true(c.find(n.geheim)):
            continue
        soort = _text(c.find(n.soort))
        mask = _MASKS.get(soort)
        if mask is not None and _text(c.find(n.nummer)) != mask:
            owner = c.getparent().getparent() if c.getparent() is not None else None
            rule = "PaO.OV04" if owner is not None and owner.tag == n.verzorger else "PaO.LL08"
            add(rule, c, soort)
    if geheim and n.adresbuitenland in has:
        add("PaO.LL09", ll)
    if n.geboorteplaats in has:
        add("PaO.LL10", ll)
    if n.nationaliteit in has:
        add("PaO.LL11", ll)
    if n.bsn in has or n.onderwijsnummer in has:
        add("PaO.LL12", ll)
    if overstap == VOSWV:
        for rule, name in _VV:
            if n.q(name) in has:
                add(rule, ll)
    if ll.find(n.schoolloopbaanlijst + "/" + n.schoolloopbaan) is None:
        add("PaO.SL01", ll, "leerling")
    if overstap == POSWV:
        if n.eindtoets_basisonderwijs in has:
            add("PaO.EB01", ll)
    if _true(ll.find(n.verzorgersaansprakelijk)) and n.verzorger not in has:
        add("PaO.OV01", ll)
    if overstap == POSWV:
        for rule, name in _VM:
            if n.q(name) in has:
                add(rule, ll)
    for v in ll.iterchildren(n.verzorger):
        if _true(v.find(n.adresgeheim)) and v.find(n.adreslijst + "/" + n.adres) is not None:
            add("PaO.OV03", v)
        if v.find(n.banknummer) is not None:
            add("PaO.OV05", v)
