"""The rule catalogue: every rule id the validator can report, with its layer, severity and texts.

The checkers take their Dutch message texts from here (`message()`), so an id and its wording
cannot drift apart. Where oso-dossier.md or the official stylesheet gives the text, it is used
verbatim, typos included: receivers map official meldingen back to rules by exact text.
`python -m oso_protocol.dossier.rules` rewrites docs/rules.md from this table.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .categories import CATEGORIES
from .codelists import CODELISTS, DEELDOSSIER
from .findings import FOUT, LAYER_PROJECT, LAYER_STANDARD, LAYER_XSD, WAARSCHUWING

OFFICIAL = "official"
PROJECT = "project"


@dataclass(frozen=True)
class Rule:
    id: str
    layer: str
    severity: str
    title: str                      # short, Dutch
    description: str                # English, for the vendor-facing table
    origin: str                     # official | project
    messages: dict[str, str] = field(default_factory=dict)  # variant -> Dutch text
    applicable: bool = True         # False: listed for completeness, never reported


_RULES: list[Rule] = []


def _r(rid, title, description, messages=None, *, layer=LAYER_STANDARD, severity=FOUT,
       origin=OFFICIAL, applicable=True):
    if isinstance(messages, str):
        messages = {"": messages}
    _RULES.append(Rule(rid, layer, severity, title, description, origin, messages or {}, applicable))


# --- structure ---------------------------------------------------------------------------------

# The schema layer turns each libxml2 error into one of these Dutch variants (xsd_layer.py); the
# location says where, so the texts name only the element and what was wrong with it.
_r("XSD", "Schemafout", "The dossier does not conform to the project's own XSD for the gegevensset "
   "(structure, order, cardinality, simple types). Reported by the schema layer, at most "
   "100 findings per dossier plus one that counts the rest. In a dossier of more than 10,000 "
   "elements with so many errors that locating them all would take more than about a second, "
   "the findings carry location \"/\".",
   {"unexpected": "Element '{el}' is hier niet toegestaan.",
    "unexpected_expected": "Element '{el}' is hier niet toegestaan; verwacht: {expected}.",
    "missing": "In element '{el}' ontbreekt een verplicht element; verwacht: {expected}.",
    "datatype": "Element '{el}': '{value}' is geen {type}.",
    "pattern": "Element '{el}': '{value}' heeft niet de vorm {pattern}.",
    "empty": "Element '{el}' is leeg; een waarde is verplicht.",
    "minlength": "Element '{el}' is te kort: {length} tekens, minimaal {limit}.",
    "maxlength": "Element '{el}' is te lang: {length} tekens, maximaal {limit}.",
    "min": "Element '{el}': {value} is kleiner dan het minimum {limit}.",
    "max": "Element '{el}': {value} is groter dan het maximum {limit}.",
    "attribute": "Element '{el}': attribuut '{attr}' is niet toegestaan.",
    "simple": "Element '{el}' mag alleen tekst bevatten, geen elementen.",
    "element_only": "Element '{el}' mag geen tekst bevatten, alleen elementen.",
    "root": "Element '{el}' is geen dossier volgens de gegevensset.",
    "other": "Schemafout bij element '{el}': {detail}",
    "more": "Nog {count} schemafouten niet getoond; herstel eerst de fouten hierboven."},
   layer=LAYER_XSD)

# --- SWV profile stylesheet (oso-dossier.md §4.1); gated on overdrachtsoort=swv-dossier unless noted

_r("PaO.MD01", "Deeldossier zonder LAS-deel",
   "deeldossier must contain an LAS part (LAS or LASLVS); LVS or TIB alone is an error. Not gated "
   "on overdrachtsoort.",
   "Het dossier voor SWV-profielen moet een LAS deel bevatten, en mag niet alleen een LVS of TIB "
   "deel bevatten.")
_r("PaO.MD02", "Onjuiste validatieversie",
   "metadata/validatieversie must equal the validatieversie literal of the gegevensset version "
   "(2019.1.1).",
   "De validatieversie is niet correct voor deze versie van de standaard.")
_r("PaO.MD03", "Categorie uitlevering ontbreekt",
   "metadata/categorie_uitlevering is required in an SWV dossier.",
   'Een SWV-dossier moet het blok "Categorie uitlevering" bevatten.')
_r("PaO.SO01", "Soort overstap ontbreekt", "metadata/overstap is required in an SWV dossier.",
   "Een SWV-dossier moet de aanduiding voor soort overstap/dossier bevatten.")
_r("PaO.SO02", "Soort overstap niet POSWV/VOSWV", "metadata/overstap must be POSWV or VOSWV.",
   "Het veld 'Soort overstap/dossier' heeft waarde \"POSWV\" of \"VOSWV\" binnen een SWV-dossier.")
_r("PaO.SO03", "Geen swv-dossier",
   "overdrachtsoort must be swv-dossier. When it is not, this is the only PaO rule that fires.",
   'Een SWV-dossier moet de aanduiding "swv-dossier" voor soort overdracht bevatten.')
_r("PaO.SL01", "Adres school / schoolloopbaan verplicht",
   "Two official rules share this id (defect D2): huidigeschool needs at least one "
   "adreslijst/adres (variant 'school'), and leerling needs at least one "
   "schoolloopbaanlijst/schoolloopbaan (variant 'leerling').",
   {"school": "In een SWV-dossier is minimaal één adres verplicht bij een school.",
    # The space before the full stop is in the official text.
    "leerling": "Minimaal één schoolloopbaan is verplicht bij een leerling in een SWV-dossier ."})
_r("PaO.SL02", "Communicatie school verplicht",
   "huidigeschool needs at least one communicatielijst/communicatie.",
   "In een SWV-dossier is minimaal één set communicatiegegevens verplicht bij een school.")
_r("PaO.LL01", "Voornaam leerling verplicht", "leerling needs at least one voornaam.",
   "In een SWV-dossier is minimaal één voornaam verplicht bij een leerling.")
_r("PaO.LL02", "Geboortedatum leerling verplicht", "leerling/geboortedatum is required.",
   "In een SWV-dossier is de geboortedatum verplicht bij een leerling.")
_r("PaO.LL03", "Geboortemaand verboden", "leerling/geboortemaand is forbidden.",
   "In een SWV-dossier is de geboortemaand verboden bij een leerling.")
_r("PaO.LL04", "Adresgeheim verplicht", "leerling/adresgeheim is required.",
   "In een SWV-dossier is de indicatie 'adres geheim' verplicht bij een leerling.")
_r("PaO.LL05", "Adres leerling verplicht",
   "Unless adresgeheim is true, leerling needs an adreslijst/adres or an adresbuitenland.",
   "Minimaal één Nederlands of buitenlands adres is verplicht bij een leerling waarvan het adres "
   "niet geheim is.")
_r("PaO.LL06", "Geheim adres: geen adres",
   "If leerling/adresgeheim is true, adreslijst/adres is forbidden.",
   "Indien een adres van leerling geheim, is ieder leerlingadres in SWV-dossier verboden.")
_r("PaO.LL07", "Postcode4adres verboden", "leerling/postcode4adres is forbidden.",
   "In een SWV-dossier is de postcode4-adres verboden bij een leerling.")
_r("PaO.LL08", "Geheime communicatie niet gemaskeerd",
   "A communicatie with geheim=true must carry the mask value (telefoon 9999999999, e-mail "
   "geheim@geheim.geheim). The official stylesheet checks every communicatie in the document "
   "from the leerling template (D7); this id is used for all of them except a verzorger's "
   "(PaO.OV04).",
   {"telefoon": "In een SWV-dossier is geheime communicatieinfo over telefoon verplicht middels "
                "de geheimwaarde \"9999999999\".",
    "e-mail": "In een SWV-dossier is geheime communicatieinfo over e-mail verplicht middels de "
              "geheimwaarde \"geheim@geheim.geheim\"."})
_r("PaO.LL09", "Geheim adres: geen buitenlands adres",
   "If leerling/adresgeheim is true, adresbuitenland is forbidden.",
   "Indien een adres van leerling geheim, is een buitenlands leerlingadres verboden.")
_r("PaO.LL10", "Geboorteplaats verboden", "leerling/geboorteplaats is forbidden.",
   "De geboorteplaats van de leerling is verboden in alle SWV-dossiers.")
_r("PaO.LL11", "Nationaliteit verboden", "leerling/nationaliteit is forbidden.",
   "De nationaliteit van de leerling is verboden in een SWV-dossier.")
_r("PaO.LL12", "BSN/onderwijsnummer verboden",
   "leerling/bsn and leerling/onderwijsnummer are forbidden (no persoonsgebonden nummer in an "
   "SWV dossier). The XSD allows them; only this rule stops them.",
   "BSN of onderwijsnummer is verboden bij een leerling in een SWV-dossier.")
for _n, _el, _txt in (
    ("01", "vanpeuterspeelzaal", 'Het veld "Afkomstig van PSZ" is niet toegestaan in een VO SWV-dossier.'),
    ("02", "naampeuterspeelzaal", 'Het veld "Naam van PSZ" is niet toegestaan in een VO SWV-dossier.'),
    ("03", "voorschools", "Voorschools is niet toegestaan in een VO SWV-dossier."),
    ("04", "vroegschools", "Vroegschools is niet toegestaan in een VO SWV-dossier."),
):
    _r(f"PaO.VV{_n}", f"{_el} verboden bij VOSWV", f"VOSWV only: leerling/{_el} is forbidden.", _txt)
_r("PaO.EB01", "Eindtoets verboden bij POSWV",
   "POSWV only: leerling/eindtoets_basisonderwijs is forbidden.",
   'Het blok "Eindtoets basisonderwijs" is niet toegestaan in een PO SWV-dossier.')
_r("PaO.OV01", "Verzorger verplicht",
   "If verzorgersaansprakelijk is true, at least one verzorger is required.",
   "Minimaal één verzorger is verplicht in een SWV-dossier als de verzorgers aansprakelijk zijn.")
for _n, _el, _blok in (
    ("01", "bevorderd", "Bevorderd"), ("02", "examenresultaat", "Examens en uitslagen"),
    ("03", "resultaatvakkenvo", "VO vakresultaat"), ("04", "certificaat", "Certificaat"),
    ("05", "competenties", "Competentie"), ("06", "stage", "Stages"),
    ("07", "overigvombo", "Overige vo-mbo gegevens"),
):
    _r(f"PaO.VM{_n}", f"{_el} verboden bij POSWV", f"POSWV only: leerling/{_el} is forbidden.",
       f'Het blok "{_blok}" is niet toegestaan in een PO SWV-dossier.')
_r("PaO.OV03", "Geheim adres verzorger: geen adres",
   "A verzorger with adresgeheim=true must have no adreslijst/adres.",
   "Indien het adres van de verzorger geheim, is ieder verzorgeradres in SWV-dossier verboden.")
_r("PaO.OV04", "Geheime communicatie verzorger niet gemaskeerd",
   "As PaO.LL08, for a communicatie of a verzorger.",
   {"telefoon": "In een SWV-dossier is geheime communicatieinfo over telefoon verplicht middels "
                "de geheimwaarde \"9999999999\".",
    "e-mail": "In een SWV-dossier is geheime communicatieinfo over e-mail verplicht middels de "
              "geheimwaarde \"geheim@geheim.geheim\"."})
_r("PaO.OV05", "Banknummer verzorger verboden",
   "verzorger/banknummer is forbidden; iban is not (D9).",
   "Voor een verzorger is een banknummer in SWV-dossier verboden.")
_r("PaO.ZB01", "VIR verboden (vervallen)",
   "zorg/vir forbidden. Dead code in 2019.1 (D3): zorg and vir no longer exist. Never reported.",
   "De gegevens van de leerling m.b.t. VIR (Verwijsindex jongeren) zijn verboden in een SWV-dossier.",
   applicable=False)
_r("PaO.ZB02", "ZAT verboden (vervallen)",
   "zorg/zat forbidden. Dead code in 2019.1 (D3): zorg and zat no longer exist. Never reported.",
   "De gegevens van de leerling m.b.t. ZAT (Zorgadviesteam) zijn verboden in een SWV-dossier.",
   applicable=False)
_r("PaO.TR01", "Toetsresultaat leeg",
   "Every resultaat (toets or toetsonderdeel) needs a toetsscore, referentiescore or document.",
   "Een toetsresultaat moet minimaal een score, een referentiescore of een bijlage bevatten.")
_r("PaO.TR02", "Toetsscore leeg",
   "A toetsscore needs aantalopgaven, aantalgoed, aantalfout, aantalgelezen, tijd or "
   "vaardigheidsscore.",
   "Een toetsscore moet minimaal het aantal oipgaven, het aantal goed, het aantal fout, het aantal "
   "gelezen, de tijd of de vaardigeheidsscore bevatten.")
_r("PaO.CL01", "Cijferlijstscore leeg", "A cijferlijst score needs waarde or kwalificatie.",
   "Een score moet minimaal een waarde of een kwalificatie bevatten.")

# --- common stylesheet (oso-dossier.md §4.2); every dossier type -------------------------------

for _num in sorted({c.number for c in CODELISTS} | {DEELDOSSIER.number}):
    _lists = [c for c in CODELISTS if c.number == _num] or [DEELDOSSIER]
    _fields = ", ".join(dict.fromkeys(c.element for c in _lists))
    _desc = f"Value of {_fields} must be in code list {_num}."
    if _num == 33:
        _desc = ("Code list 33 (LAS, LVS, LASLVS, TIB): reported once, at document level, when the "
                 "dossier has no deeldossier with a listed value.")
    _r(f"CL{_num}", f"Codelijst {_num}", _desc, {c.label: c.message() for c in _lists})
_r("OG.01", "E-mailadres ongeldig",
   "A communicatie of soort e-mail needs a nummer of 4-256 characters containing '@' and matching "
   "the DUO e-mail pattern.",
   {"min": "Een e-mail adres is minimaal 4 tekens.",
    "max": "Een e-mail adres is niet langer dan 256 tekens.",
    "at": "In een e-mail adres is het @-teken verplicht.",
    "regex": "In een e-mail adres moet voldoen aan de voorwaarden m.b.t. toegestane karakters "
             "voorgaand aan het @-teken en voor domeinnaam en extensie."})
_r("OG.02", "Onjuiste standaardversie",
   "metadata/standaardversie must equal the standaardversie literal (2019.1). The validator "
   "checks it before anything else: a mismatch is the only finding (the dossier claims another "
   "version of the gegevensset).",
   "Het veld 'Versienummer van standaard' bevat een waarde die niet gelijk is aan de verplichte "
   "waarde \"{literal}\".")
_r("OG.03", "LWOO-einddatum ongeldig", "lwoo_einddatum must match ####-07-31.",
   "Het veld 'LWOO einddatum' bevat een waarde die niet gelijk is aan het formaat \"EEJJ-07-31\".")
# [choice] OG.04/OG.05 texts: the 2018.1+ stylesheet wording was not available; ours follows the
# style of the other official meldingen.
_r("OG.04", "Overlijdensdatum zonder overleden",
   "verzorger/overlijdensdatum is only allowed when overleden is present and true.",
   "Het veld 'Overlijdensdatum' van een verzorger is alleen toegestaan als de verzorger overleden is.")
_r("OG.05", "Huisarts met verboden gegevens",
   "huisarts must not have roepnaam, geslacht, or adresgeheim=true.",
   {"roepnaam": "Het veld 'Roepnaam' is niet toegestaan bij een huisarts.",
    "geslacht": "Het veld 'Geslacht' is niet toegestaan bij een huisarts.",
    "adresgeheim": "Het adres van een huisarts kan niet geheim zijn."})

# [choice] VERPLICHT wording: oso-dossier.md quotes only its opening ("moet gegevens uit de
# categorie ... bevatten"); the rest of the sentence is ours. The official OS.cat14 VERPLICHT text
# says "mag geen" (D4); we do not copy that slip since its exact words are unknown.
_CAT_MESSAGES = {
    "verplicht": 'Een dossier moet gegevens uit de categorie "{label}" bevatten wanneer deze '
                 "categorie verplicht is.",
    "verboden": 'Een dossier mag geen gegevens uit de categorie "{label}" bevatten wanneer deze '
                "categorie is verboden.",
    "uitgezet": 'Een dossier mag geen gegevens uit de categorie "{label}" bevatten wanneer deze '
                "categorie is uitgezet.",
}
for _c in CATEGORIES:
    _paths = ", ".join(_c.paths) or "-"
    if not _c.paths:
        _r(_c.rule, f"Categorie {_c.label}",
           f"{_c.element}: the category has no business rule; the XSD alone governs it. Listed "
           "for completeness, never reported.", applicable=False)
        continue
    _desc = (f"{_c.element} against presence of {_paths}: VERPLICHT needs at least one present, "
             "VERBODEN and OPT-UIT need none, OPTIONEEL is not checked; another value is CL48.")
    if _c.element == "cat_metadata":
        _desc += " metadata and overdrachtsoort are XSD-required, so VERBODEN/OPT-UIT always fails (D5)."
    if _c.element == "cat_onderwijsondersteuning":
        _desc += (" As in the official stylesheet, VERBODEN/OPT-UIT does not see "
                  "toelichting_onderwijsbehoeften (D1); OSS.CAT09 reports that case.")
    if _c.rule == "OS.cat120":
        _desc += " The official id is OS.cat120 (sic)."
    _r(_c.rule, f"Categorie {_c.label}", _desc,
       {k: v.format(label=_c.label) for k, v in _CAT_MESSAGES.items()})

# --- project rules ----------------------------------------------------------------------------

_r("OSS.XML01", "Geen leesbare XML",
   "The input is not well-formed XML or is refused by the safe parser (DTD, entities, size). "
   "Reported by the validator; nothing else is checked.",
   {"": "Het dossier is geen leesbaar XML-document.",
    "detail": "Het dossier is geen leesbaar XML-document. {detail}"},
   layer=LAYER_PROJECT, origin=PROJECT)
_r("OSS.NS01", "Onbekende namespace",
   "The root element is not a dossier in the namespace of the configured gegevensset version. "
   "Reported by the validator instead of a page of schema errors (the official stylesheet goes "
   "quiet on a foreign namespace, D8); nothing else is checked.",
   {"": "Het dossier gebruikt namespace \"{found}\"; verwacht is \"{expected}\".",
    "versie": "Het dossier gebruikt de namespace van gegevensset-jaargang {found_version} "
              "(\"{found}\"); deze validator controleert gegevensset {expected_version} "
              "(\"{expected}\"). Verder is niets gecontroleerd.",
    "geen": "Het hoofdelement '{root}' heeft geen namespace; verwacht is \"{expected}\". Verder is "
            "niets gecontroleerd.",
    "root": "Het hoofdelement is '{root}'; verwacht is 'dossier' in namespace \"{expected}\". "
            "Verder is niets gecontroleerd."},
   layer=LAYER_PROJECT, origin=PROJECT)
_r("OSS.PM01", "Categorie past niet bij profiel",
   "Each declared cat_* value must be allowed by the SWV profile matrix for the declared overstap "
   "(POSWV/VOSWV): VERPLICHT and VERBODEN as in the profile, OPTIONEEL or OPT-UIT for an optional "
   "category. The official validation lacks this check (D6).",
   "De categorie {cat} heeft waarde \"{value}\", maar het profiel {profile} staat alleen {allowed} toe.",
   layer=LAYER_PROJECT, origin=PROJECT)
_r("OSS.CAT09", "Toelichting in uitgezette categorie",
   "toelichting_onderwijsbehoeften present while cat_onderwijsondersteuning is VERBODEN or "
   "OPT-UIT. The official OS.cat09 misses it through a typo (D1).",
   'Een dossier mag geen toelichting onderwijsbehoeften uit de categorie "Onderwijsondersteuning" '
   "bevatten wanneer deze categorie is {state}.",
   layer=LAYER_PROJECT, origin=PROJECT)
_r("OSS.OPT01", "Lege container van uitgezette categorie",
   "An empty onderwijsondersteuning element while both categories it serves "
   "(cat_onderwijsondersteuning, cat_handelingsplannen) are VERBODEN or OPT-UIT. Opt-out means the "
   "element is left out entirely; no official rule sees the empty wrapper.",
   "Het lege blok \"onderwijsondersteuning\" hoort weggelaten te worden wanneer de categorieën "
   "Onderwijsondersteuning en Handelingsplannen beide verboden of uitgezet zijn.",
   layer=LAYER_PROJECT, origin=PROJECT)
_r("OSS.ATT01", "Bijlage geen base64",
   "document/bestandsinhoud is not valid base64 (whitespace is ignored).",
   "De bestandsinhoud van bijlage \"{naam}\" is geen geldige base64.",
   layer=LAYER_PROJECT, origin=PROJECT)
_r("OSS.ATT02", "Bijlage geen ZIP",
   "The decoded bestandsinhoud does not start with a ZIP local file header (PK\\x03\\x04); the XSD "
   "documents it as a base64-encoded ZIP file.",
   "De bestandsinhoud van bijlage \"{naam}\" is geen ZIP-bestand.",
   layer=LAYER_PROJECT, origin=PROJECT)
_r("OSS.ATT03", "Bijlage-ZIP onleesbaar",
   "The decoded ZIP has no readable central directory (truncated or damaged). A warning only: the "
   "official examples carry truncated ZIPs.",
   "De ZIP in bijlage \"{naam}\" is onleesbaar of afgebroken.",
   layer=LAYER_PROJECT, severity=WAARSCHUWING, origin=PROJECT)
_r("OSS.ZV01", "Toelichting onderwijsbehoeften ontbreekt",
   "Process rule (ParnasSys): a zorgvraag must carry the \"Toelichting onderwijsbehoeften\" "
   "attachment (onderwijsondersteuning/toelichting_onderwijsbehoeften/document). Not a 2019.1 "
   "conformance rule. Not reported while cat_onderwijsondersteuning is VERBODEN/OPT-UIT (that "
   "declaration is reported by OSS.PM01).",
   "Een zorgvraag moet de bijlage \"Toelichting onderwijsbehoeften\" bevatten.",
   layer=LAYER_PROJECT, origin=PROJECT)

RULES: dict[str, Rule] = {r.id: r for r in _RULES}
assert len(RULES) == len(_RULES), "duplicate rule id"


def message(rule_id: str, variant: str = "", **values) -> str:
    text = RULES[rule_id].messages[variant]
    return text.format(**values) if values else text


def render_markdown() -> str:
    lines = [
        "# Validation rules",
        "",
        "Every finding carries a rule id, a layer and a severity. `xsd` is the schema, `standard` the",
        "business rules of gegevensset 2019.1 with their official ids (PaO.*, OG.*, OS.cat*, code",
        "lists as CL<n>), `project` the rules this project adds (OSS.*). A `fout` makes the dossier",
        "invalid; a `waarschuwing` never does. Rules marked \"n/a\" exist in the official catalogue",
        "but are never reported. This file is generated by `python -m oso_protocol.dossier.rules`.",
        "",
        "| Rule | Layer | Severity | Title | Description |",
        "|---|---|---|---|---|",
    ]
    for r in _RULES:
        sev = r.severity if r.applicable else "n/a"
        desc = r.description.replace("|", "\\|")
        lines.append(f"| {r.id} | {r.layer} | {sev} | {r.title} | {desc} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    out = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    out.write_text(render_markdown(), encoding="utf-8")
    print(out)
