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

# Elements that rules inspect wherever they occur, collected in one pass. Some are children that
# rules look up by their parent, which is cheaper than a lookup per parent: a communicatie's geheim
# (its soort is a coded element, collected anyway), a verzorger's overlijdensdatum, adresgeheim and
# banknummer. document and bestandsinhoud are the project layer's attachments.
_ANYWHERE = ("communicatie", "resultaat", "toetsscore", "score", "lwoo_einddatum", "geheim",
             "overlijdensdatum", "adresgeheim", "banknummer", "document", "bestandsinhoud")

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


@dataclass(frozen=True)
class _Plan:
    """Everything check_standard derives from the namespace alone."""

    cl_tags: dict                # coded element tag -> ((CodeList, ancestor tags innermost first), ...)
    cl_safe: dict                # coded element tag -> values valid under each of its lists
    iter_tags: tuple             # tags collected in the one pass over the tree
    cat_tags: frozenset          # cat_* tags, coded only as children of categorie_uitlevering
    cats: tuple                  # _Cat per category rule
    toetsscore_children: frozenset
    tr01_children: frozenset
    cl01_children: frozenset


@lru_cache(maxsize=8)
def _compiled(ns: str):
    n = _Names(ns)
    cl_tags = {n.q(name): tuple((c, tuple(n.q(a) for a in reversed(c.chain[:-1])))
                                for c in lists)
               for name, lists in codelists.BY_ELEMENT.items()}
    # A value that every list of an element name accepts needs no look at the ancestors.
    cl_safe = {tag: frozenset.intersection(*(c.values for c, _ in lists)) for tag, lists in cl_tags.items()}
    cu = n.categorie_uitlevering
    cat_tags = frozenset(tag for tag, lists in cl_tags.items()
                         if all(anc[:1] == (cu,) for _, anc in lists))
    iter_tags = tuple((set(cl_tags) - cat_tags) | {n.q(t) for t in _ANYWHERE} | {cu})

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
    plan = _Plan(cl_tags, cl_safe, iter_tags, cat_tags, cats,
                 frozenset(n.q(c) for c in _TOETSSCORE),
                 frozenset((n.toetsscore, n.referentiescore, n.document)),
                 frozenset((n.waarde, n.kwalificatie)))
    return n, cl_tags, iter_tags, cats, plan


def xpath_location(el) -> str:
    """Location in the official style: /dossier[1]/huidigeschool[1]/leerling[1].

    The positions (same-tag preceding siblings + 1) come from libxml2 in one call, as lxml's
    ElementPath of the element, which writes "[n]" only where a same-tag sibling exists. With
    the root's namespace taken out, a path without "{" names every step by its local name alone.
    """
    tree = el.getroottree()
    root = tree.getroot()
    head, ns_prefix = _heads.get(root.tag) or _head(root.tag)
    if el is root:
        return head
    try:
        path = tree.getelementpath(el)
    except ValueError:  # not below the document's root element
        return _location_walk(el)
    if ns_prefix:
        path = path.replace(ns_prefix, "")
    if "{" in path:
        return _location_walk(el)  # a step in another namespace
    # "[1]" after every step, then dropped again after the steps that had a position already.
    return head + "/" + (path.replace("/", "[1]/") + "[1]").replace("][1]", "]")


_heads: dict[str, tuple[str, str]] = {}


def _head(tag: str) -> tuple[str, str]:
    """The location of a root element with this tag (it has no element siblings), and "{ns}"."""
    brace = tag.find("}")
    _heads[tag] = found = ("/%s[1]" % _local(tag), tag[:brace + 1] if brace > 0 else "")
    if len(_heads) > 64:  # a bound against a stream of roots with made-up tags
        _heads.clear()
    return found


def _location_walk(el) -> str:
    # The same location from the ancestors' own tags, for paths with foreign namespaces in them,
    # whose URIs may hold "/" or "[".
    tags = []
    top = el
    parent = el.getparent()
    while parent is not None:
        tags.append(top.tag)
        top = parent
        parent = top.getparent()
    parts = ["/%s[1]" % _local(top.tag)]
    if tags:
        path = etree.ElementTree(top).getelementpath(el)
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


# Child lookups: el.find(tag) costs an ElementPath evaluation each time; one walk over the children
# that records the first child of each tag answers all lookups in an element at once.

def _kids(el) -> dict:
    """The first child of each tag, as el.find(tag) would return it."""
    kids = {}
    if el is not None:
        for c in el:
            t = c.tag
            if t not in kids:
                kids[t] = c
    return kids


def _has_child(el, tags: frozenset) -> bool:
    for c in el:
        if c.tag in tags:
            return True
    return False


def _first_by_parent(els) -> dict:
    """parent -> its first child among `els` (in document order)."""
    first = {}
    for el in els:
        parent = el.getparent()
        if parent not in first:
            first[parent] = el
    return first


def _has_grandchild(el, tag: str, child: str) -> bool:
    """el.find("tag/child") is not None."""
    for c in el.iterchildren(tag):
        for _ in c.iterchildren(child):
            return True
    return False


class Scan:
    """What both rule layers read from one dossier, gathered once (`scan`).

    `found` maps each tag of the one walk over the tree to its elements in document order;
    the *_kids dicts hold the first child of each tag of the elements rules start from.
    """

    __slots__ = ("root", "root_kids", "metadata", "md", "school", "school_kids", "leerling", "ll",
                 "found")


def scan(root, version: GegevenssetVersion) -> Scan:
    n, _, _, _, plan = _compiled(version.namespace)
    sc = Scan()
    sc.root = root
    sc.root_kids = _kids(root)
    sc.metadata = sc.root_kids.get(n.metadata)
    sc.md = _kids(sc.metadata)
    sc.school = sc.root_kids.get(n.huidigeschool)
    sc.school_kids = _kids(sc.school)
    sc.leerling = sc.school_kids.get(n.leerling)
    sc.ll = _kids(sc.leerling)
    # One pass, in C, over the elements rules look at anywhere in the document.
    found: dict[str, list] = {tag: [] for tag in plan.iter_tags}
    for el in root.iter(*plan.iter_tags):
        found[el.tag].append(el)
    _cat_children(root, found, plan.cat_tags, n)
    sc.found = found
    return sc


def check_standard(root, version: GegevenssetVersion, sc: Scan | None = None) -> list[Finding]:
    """The standard layer's findings; `sc`, when given, is `scan(root, version)`."""
    n, _, _, _, plan = _compiled(version.namespace)
    out: list[Finding] = []

    def add(rule, el, variant="", **kw):
        loc = DOCUMENT if el is None else xpath_location(el)
        out.append(Finding(rule, LAYER_STANDARD, FOUT, loc, message(rule, variant, **kw)))

    if sc is None:
        sc = scan(root, version)
    root_kids, metadata, md, school = sc.root_kids, sc.metadata, sc.md, sc.school
    leerling, ll, found = sc.leerling, sc.ll, sc.found
    swv = _text(root_kids.get(n.overdrachtsoort)) == SWV_DOSSIER
    overstap = _text(md.get(n.overstap)) if metadata is not None else None

    soorten = _first_by_parent(found[n.soort])
    geheimen = _first_by_parent(found[n.geheim])
    comms = [(c, _text(soorten.get(c)), geheimen.get(c)) for c in found[n.communicatie]]
    if leerling is not None:
        overlijden = _first_by_parent(found[n.overlijdensdatum])
        adresgeheim = _first_by_parent(found[n.adresgeheim])
        banknummer = _first_by_parent(found[n.banknummer])
        verzorgers = [(v, overlijden.get(v), adresgeheim.get(v), banknummer.get(v))
                      for v in leerling.iterchildren(n.verzorger)]
    else:
        verzorgers = []

    _code_lists(root, found, plan, md, n, add)
    _common(found, comms, md, metadata, leerling, verzorgers, n, version, add)
    _categories(root_kids, md, leerling, ll, plan.cats, n, add)
    if metadata is not None:
        _pao_metadata(metadata, md, swv, overstap, n, version, add)
    if swv:
        if school is not None:
            _pao_school(school, n, add)
        if leerling is not None:
            _pao_leerling(leerling, ll, overstap, comms, verzorgers, n, add)
        for el in found.get(n.resultaat, ()):
            if not _has_child(el, plan.tr01_children):
                add("PaO.TR01", el)
        for el in found.get(n.toetsscore, ()):
            if not _has_child(el, plan.toetsscore_children):
                add("PaO.TR02", el)
        for el in found.get(n.score, ()):
            if not _has_child(el, plan.cl01_children):
                add("PaO.CL01", el)
    return out


def _cat_children(root, found, cat_tags, n):
    """Add the cat_* elements that can be coded ones: the children of a categorie_uitlevering."""
    cus = found.pop(n.categorie_uitlevering, ())
    if len(cus) == 1:
        for c in cus[0]:
            tag = c.tag
            if tag in cat_tags:
                found.setdefault(tag, []).append(c)
    elif cus:
        # Nested ones: children listed per parent would leave document order.
        for el in root.iter(*cat_tags):
            found.setdefault(el.tag, []).append(el)


def _code_lists(root, found, plan, md, n, add):
    top_has_parent = root.getparent() is not None
    for tag, lists in plan.cl_tags.items():
        els = found.get(tag)
        if not els:
            continue
        safe = plan.cl_safe[tag]
        for el in els:
            text = el.text
            if text in safe:
                continue
            for cl, ancestors in lists:
                node = el
                for a in ancestors:
                    node = node.getparent()
                    if node is None or node.tag != a:
                        break
                else:
                    # The ancestor chain must itself sit below some element (/descendant::*/...).
                    if text not in cl.values and (node is not root or top_has_parent):
                        add(cl.rule, el, cl.label)
                    break
    if _text(md.get(n.deeldossier)) not in codelists.DEELDOSSIER.values:
        add("CL33", None, codelists.DEELDOSSIER.label)


def _common(found, comms, md, metadata, leerling, verzorgers, n, version, add):
    nummer_tag = n.nummer
    for el, soort, _ in comms:
        if soort != "e-mail":
            continue
        adres = _text(next(el.iterchildren(nummer_tag), None)) or ""
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
        sv = md.get(n.standaardversie)
        if sv is not None and sv.text != version.standaardversie:
            add("OG.02", sv, literal=version.standaardversie)
    for el in found.get(n.lwoo_einddatum, ()):
        if not _LWOO_EINDDATUM.search(el.text or ""):
            add("OG.03", el)
    if leerling is None:
        return
    for v, overlijdensdatum, _, _ in verzorgers:
        if overlijdensdatum is not None and not _true(next(v.iterchildren(n.overleden), None)):
            add("OG.04", v)
    for h in leerling.iterchildren(n.huisarts):
        kids = _kids(h)
        if kids.get(n.roepnaam) is not None:
            add("OG.05", h, "roepnaam")
        if kids.get(n.geslacht) is not None:
            add("OG.05", h, "geslacht")
        if _true(kids.get(n.adresgeheim)):
            add("OG.05", h, "adresgeheim")


def _categories(root_kids, md, leerling, ll, cats, n, add):
    cu = md.get(n.categorie_uitlevering)
    if cu is None:
        return
    declared = _kids(cu)
    present = {"root": root_kids, "leerling": ll}
    oo = ll.get(n.onderwijsondersteuning)
    present["oo"] = _kids(oo)
    for cat in cats:
        value = _text(declared.get(cat.element))
        if value == VERPLICHT:
            if not _any_present(cat.verplicht, present):
                add(cat.rule, None, "verplicht")
        elif value in (VERBODEN, OPT_UIT):
            if _any_present(cat.verboden, present):
                add(cat.rule, None, "verboden" if value == VERBODEN else "uitgezet")
        # OPTIONEEL: no check. Any other value is reported by CL48.


def _any_present(pairs, present) -> bool:
    for lvl, tag in pairs:
        if tag in present[lvl]:
            return True
    return False


def _pao_metadata(metadata, md, swv, overstap, n, version, add):
    # PaO.MD01 is the one rule that is not gated on overdrachtsoort.
    if _text(md.get(n.deeldossier)) not in ("LAS", "LASLVS"):
        add("PaO.MD01", metadata)
    if not swv:
        add("PaO.SO03", metadata)
        return
    if _text(md.get(n.validatieversie)) != version.validatieversie:
        add("PaO.MD02", metadata)
    if md.get(n.categorie_uitlevering) is None:
        add("PaO.MD03", metadata)
    if md.get(n.overstap) is None:
        add("PaO.SO01", metadata)
    if overstap not in (POSWV, VOSWV):
        add("PaO.SO02", metadata)


def _pao_school(school, n, add):
    if not _has_grandchild(school, n.adreslijst, n.adres):
        add("PaO.SL01", school, "school")
    if not _has_grandchild(school, n.communicatielijst, n.communicatie):
        add("PaO.SL02", school)


def _pao_leerling(ll, has, overstap, comms, verzorgers, n, add):
    # `has`: the first child of each tag, so also the set of child tags.
    geheim = _true(has.get(n.adresgeheim))
    heeft_adres = _has_grandchild(ll, n.adreslijst, n.adres)
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
    for c, soort, geheim_el in comms:
        if not _true(geheim_el):
            continue
        mask = _MASKS.get(soort)
        if mask is not None and _text(next(c.iterchildren(n.nummer), None)) != mask:
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
    if not _has_grandchild(ll, n.schoolloopbaanlijst, n.schoolloopbaan):
        add("PaO.SL01", ll, "leerling")
    if overstap == POSWV:
        if n.eindtoets_basisonderwijs in has:
            add("PaO.EB01", ll)
    if _true(has.get(n.verzorgersaansprakelijk)) and n.verzorger not in has:
        add("PaO.OV01", ll)
    if overstap == POSWV:
        for rule, name in _VM:
            if n.q(name) in has:
                add(rule, ll)
    for v, _, adresgeheim, banknummer in verzorgers:
        if _true(adresgeheim) and _has_grandchild(v, n.adreslijst, n.adres):
            add("PaO.OV03", v)
        if banknummer is not None:
            add("PaO.OV05", v)
