"""The diagnosis rule table: every rule id `diagnose` can report, with its Dutch texts.

One table for the CLI, the actor pages and the conformance report: a finding carries the id and
the variant, and the text comes from here, so an id and its wording cannot drift apart. Ids of the
dossier validator (OSS.NS01, OG.02) are reused where the diagnosis says the same thing; their
texts here are shorter, because a diagnosis names the version found and the one expected.
`python -m oso_protocol.diagnosis.rules` prints the table as Markdown for docs/diagnose.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

FOUT = "fout"                  # the message is wrong: a receiver refuses it or misreads it
WAARSCHUWING = "waarschuwing"  # suspicious, but a receiver may accept it
INFO = "info"                  # worth knowing, says nothing about correctness


@dataclass(frozen=True)
class DiagnosisRule:
    id: str
    severity: str
    title: str                      # Dutch, short
    description: str                # English, what the rule detects
    messages: dict[str, str] = field(default_factory=dict)  # variant -> Dutch text
    choice: bool = False            # True: relies on this project's reading of the protocol
    source: str = ""                # where the expectation comes from (oso-protocol.md §, row)


_RULES: list[DiagnosisRule] = []


def _r(rid, severity, title, description, messages, *, choice=False, source=""):
    if isinstance(messages, str):
        messages = {"": messages}
    _RULES.append(DiagnosisRule(rid, severity, title, description, messages, choice, source))


# --- input and envelope ------------------------------------------------------------------------

_r("OSS.MSG01", FOUT, "Onleesbare invoer",
   "The input is not acceptable XML: empty, too large, a DTD or entity declaration, not "
   "well-formed, or not bytes. Nothing else is diagnosed.",
   {"": "Het bestand is geen leesbaar XML-bericht: {detail}"},
   source="codec.decode / xmlsafe")
_r("OSS.MSG02", FOUT, "Onbekend soort bericht",
   "Well-formed XML that is neither a SOAP envelope, nor an OSO body element, nor a dossier.",
   {"": "Het hoofdelement is '{root}'; verwacht is een SOAP 1.1-envelop met een OSO-bericht, "
        "of een dossier."})
_r("OSS.MSG03", FOUT, "SOAP 1.2 in plaats van 1.1",
   "The envelope uses the SOAP 1.2 namespace. OSO uses SOAP 1.1: every sample shows the 1.1 "
   "envelope; our actors answer VersionMismatch. The body is diagnosed anyway.",
   "De envelop gebruikt SOAP 1.2 ({found}); OSO gebruikt SOAP 1.1 ({expected}). Een ontvanger "
   "antwoordt met een VersionMismatch-fout.",
   choice=True, source="assumptions row 16, fact table (SOAP 1.1)")
_r("OSS.MSG04", FOUT, "Header met mustUnderstand",
   "A SOAP header entry marked mustUnderstand (typically a WS-Security header). OSO prescribes "
   "no WS-Security; a receiver that does not know the header must refuse the message.",
   {"": "Header '{header}' heeft mustUnderstand=\"{value}\"; OSO kent geen SOAP-headers, dus "
        "de ontvanger weigert het bericht (MustUnderstand).",
    "wsse": "WS-Security-header '{header}' heeft mustUnderstand=\"{value}\"; OSO gebruikt geen "
            "WS-Security (beveiliging loopt via TLS met certificaten), dus de ontvanger weigert "
            "het bericht (MustUnderstand). Laat de header weg."},
   choice=True, source="assumptions rows 16 and 25; oso-protocol.md §4 (message signing)")
_r("OSS.MSG05", FOUT, "Envelop onjuist opgebouwd",
   "The SOAP envelope is not shaped Envelope/(Header?)/Body with exactly one body element, or the "
   "OSO element came without any envelope.",
   {"geen_body": "De envelop bevat geen Body; verwacht: Envelope met optioneel Header en dan Body.",
    "aantal": "De Body bevat {count} elementen; verwacht is precies één OSO-bericht.",
    "tekst": "De envelop of Body bevat losse tekst; alleen elementen zijn toegestaan.",
    "volgorde": "De Header staat na de Body; in SOAP 1.1 komt de Header eerst.",
    "geen_envelop": "Het bericht {element} staat niet in een SOAP-envelop; verwacht: "
                    "soapenv:Envelope/soapenv:Body/{element}.",
    "namespace": "Het hoofdelement Envelope heeft namespace \"{found}\"; verwacht is "
                 "\"{expected}\" (SOAP 1.1)."})
_r("OSS.MSG06", FOUT, "Onbekende operatie",
   "The body element is not one of the OSO messages; the nearest known element name is given.",
   {"": "Het berichtelement '{found}' bestaat niet in OSO; bedoeld is waarschijnlijk "
        "'{expected}' (operatie {operation}).",
    "geen": "Het berichtelement '{found}' bestaat niet in OSO en lijkt op geen bekend bericht."})
_r("OSS.MSG07", INFO, "SOAP Fault",
   "The body is a SOAP Fault: a refusal, not a message of an operation. Its code and text are "
   "shown; the diagnosis stops there.",
   "Het bericht is een SOAP Fault: {code} \"{text}\".")

# --- version -----------------------------------------------------------------------------------

_r("OSS.VER01", FOUT, "Verkeerde OSO-namespace",
   "The OSO element's namespace is not the 20200910 one: the 20180404 namespace, the pre-2018 "
   "xml.eld.nl host, another namespace, or none.",
   {"": "Het bericht gebruikt namespace \"{found}\"; verwacht is \"{expected}\".",
    "versie": "Het bericht gebruikt de OSO-namespace van versie {found_version} (\"{found}\"); "
              "verwacht is versie {expected_version} (\"{expected}\").",
    "eld": "Het bericht gebruikt de oude host xml.eld.nl (\"{found}\", versie {found_version}); "
           "sinds 20180404 is het xml.kennisnet.nl, verwacht is \"{expected}\".",
    "geen": "Het element '{element}' heeft geen namespace; verwacht is \"{expected}\"."},
   source="oso-protocol.md §4 (namespaces by version), §8.3")
_r("OSS.VER02", FOUT, "Woordenschat van OSO 2018",
   "A field of the 2018 (or older) vocabulary: aanleverpuntIndex became routeringsKenmerk in "
   "20200910, the aanleverpuntSleutel filter and the aanleverpunt `code` became "
   "routeringsKenmerk, and the 2017 overdrachtdoel is gone.",
   {"index": "{found} heet sinds 20200910 {expected}: een routeringskenmerk van 20 tekens in "
             "plaats van een volgnummer.",
    "sleutel": "{found} (OSO 2018) is sinds 20200910 vervangen door het filter {expected} "
               "(20 tekens).",
    "code": "Het veld {found} van een aanleverpunt heet sinds 20200910 {expected}.",
    "overdrachtdoel": "{found} bestond alleen in OSO 2017; het doel van de melding staat in "
                      "{expected}."},
   source="oso-protocol.md §2 (general rule, 2.1, 2.2), §8.3")
_r("OSS.VER03", FOUT, "Doel PaO in plaats van SWV",
   "doel PaO is the 2018 value; since 20200910 the SWV flow uses SWV. The project schema still "
   "accepts PaO so a receiver can refuse it with OnjuistDoel.",
   "doel \"PaO\" is de waarde van OSO 2018; sinds 20200910 is het \"SWV\".",
   source="oso-protocol.md §2.2, §2.3, §8.3; assumptions row 20")

# --- fields ------------------------------------------------------------------------------------

_r("OSS.FLD01", FOUT, "Verplicht veld ontbreekt",
   "A field the project XSD requires is missing from the message.",
   {"": "Het verplichte veld {expected} ontbreekt in {element}.",
    "na": "Het verplichte veld {expected} ontbreekt in {element}; het hoort na {after}."},
   choice=True, source="project XSD; required fields are partly [INF]/[choice] (rows 1-7, 12)")
_r("OSS.FLD02", FOUT, "Onbekend veld",
   "A field the message does not have; the nearest expected field name is given when there is "
   "one (a typo or a wrong capital).",
   {"": "Het veld {found} bestaat niet in {element}; bedoeld is waarschijnlijk {expected}.",
    "geen": "Het veld {found} bestaat niet in {element}; toegestaan zijn: {expected}."},
   choice=True, source="project XSD")
_r("OSS.FLD03", FOUT, "Veld op de verkeerde plaats",
   "The fields are all there but not in the order of the xs:sequence.",
   "Het veld {found} staat op de verkeerde plaats in {element}; de volgorde is: {expected}.",
   choice=True, source="project XSD; the order of some messages is [choice] (row 5)")
_r("OSS.FLD04", FOUT, "Veld te vaak",
   "A field that may occur once occurs more than once.",
   "Het veld {found} komt {count} keer voor in {element}; toegestaan is één keer.")
_r("OSS.FLD05", FOUT, "Veld zonder juiste namespace",
   "A child element has the right name but not the namespace of its message element "
   "(elementFormDefault is qualified: every field carries the OSO namespace).",
   "Het veld {found} heeft namespace \"{found_ns}\"; velden horen in dezelfde namespace als het "
   "bericht (\"{expected}\").",
   choice=True, source="project XSD (elementFormDefault qualified)")

# --- values ------------------------------------------------------------------------------------

_r("OSS.VAL01", FOUT, "BRIN heeft de verkeerde vorm",
   "A BRIN is two digits and two letters or digits, upper case (00YY).",
   "{element}: \"{found}\" is geen BRIN; verwacht 4 tekens zoals 00YY (twee cijfers, twee "
   "hoofdletters of cijfers).",
   choice=True, source="assumptions row 22")
_r("OSS.VAL02", FOUT, "Routeringskenmerk heeft de verkeerde vorm",
   "A routeringskenmerk is 20 characters of digits and upper-case letters.",
   {"": "{element}: \"{found}\" is geen routeringskenmerk; verwacht 20 tekens (cijfers en "
        "hoofdletters), bijvoorbeeld 0000000700012AB00950. Gevonden: {length} tekens.",
    "index": "{element}: \"{found}\" lijkt een aanleverpuntIndex van OSO 2018; sinds 20200910 is "
             "dit een routeringskenmerk van 20 tekens, bijvoorbeeld 0000000700012AB00950."},
   choice=True, source="assumptions row 22; oso-protocol.md §8.3")
_r("OSS.VAL03", FOUT, "GUID heeft de verkeerde vorm",
   "A koppelsleutel or sessieId is a GUID: 8-4-4-4-12 hexadecimal digits.",
   "{element}: \"{found}\" is geen GUID; verwacht 8-4-4-4-12 hexadecimale tekens, bijvoorbeeld "
   "19677A96-B737-402E-B3B8-24A3EEF32000.",
   source="oso-protocol.md §2.3, §2.6; assumptions row 22")
_r("OSS.VAL04", FOUT, "Waarde past niet",
   "Any other value the project XSD refuses: an unknown code of an enumeration, a date-time, a "
   "boolean, a text that is too long, base64.",
   {"": "{element}: \"{found}\" is geen geldige waarde; verwacht: {expected}.",
    "enum": "{element}: \"{found}\" is geen toegestane waarde; toegestaan: {expected}."},
   choice=True, source="project XSD (rows 13, 20-22)")
_r("OSS.VAL05", FOUT, "Veld is leeg",
   "A field is present but has no value (or holds elements where a value is expected).",
   {"": "Het veld {element} is leeg; een waarde is verplicht.",
    "elementen": "Het veld {element} bevat elementen; verwacht is alleen een waarde."})

# --- the SWV flow ------------------------------------------------------------------------------

_r("OSS.FLOW01", FOUT, "Koppelsleutel en zoeksleutel",
   "An overdrachtRequest must carry exactly one of zoeksleutel and koppelsleutel: both, or "
   "neither, is refused by the TC.",
   {"beide": "Het overdrachtRequest bevat zowel een koppelsleutel als een zoeksleutel; precies "
              "één van de twee is toegestaan, in de SWV-aanvraag de koppelsleutel.",
    "geen": "Het overdrachtRequest bevat geen koppelsleutel en geen zoeksleutel; in de "
            "SWV-aanvraag is de koppelsleutel verplicht."},
   source="oso-protocol.md §2.4 [W17], §8.2")
_r("OSS.FLOW02", FOUT, "Zoeksleutel in de SWV-aanvraag",
   "An overdrachtRequest of the SWV flow identifies the dossier with the koppelsleutel the TC "
   "issued, not with the zoeksleutel (the encrypted PGN of the transfer flow).",
   "De SWV-aanvraag gebruikt de koppelsleutel uit de notificatie, niet de zoeksleutel (die hoort "
   "bij de overstap tussen scholen).",
   source="oso-protocol.md §2.4, §2.5, §8.2")
_r("OSS.FLOW03", FOUT, "Verkeerde overdrachtsoort",
   "overdrachtsoort must be SWVaanvraag in the SWV flow (overstapdossier and binnenBRIN belong to "
   "the transfer flow; swv-aanvraag is 2017 wording).",
   "overdrachtsoort \"{found}\" hoort niet bij de SWV-aanvraag; verwacht is \"SWVaanvraag\".",
   source="oso-protocol.md §2.4 [W17], §8.2; assumptions row 21")
_r("OSS.FLOW04", FOUT, "Verkeerd doel",
   "doel of a notification (melden or versturen) or of meldenTerugkoppeling must be SWV in this "
   "flow; OV is the transfer flow.",
   "doel \"{found}\" hoort niet bij de SWV-aanvraag; verwacht is \"SWV\" (\"OV\" is het doel "
   "van een overstapdossier).",
   choice=True, source="oso-protocol.md §2.2, §2.3; the meldenTerugkoppeling value is [choice] (§2.8)")
_r("OSS.FLOW05", FOUT, "Bron en doel verwisseld",
   "The bron routeringskenmerk carries the doel BRIN and the doel routeringskenmerk the bron "
   "BRIN: bron (always the LAS) and doel (always the SWV) are swapped. Detectable only when the "
   "routeringskenmerken follow the register layout 00000007 000 BRIN suffix.",
   "Bron en doel zijn verwisseld: {found_bron} (bron) hoort bij BRIN {brin_bron_rk} en "
   "{found_doel} (doel) bij BRIN {brin_doel_rk}. In elk OSO-bericht is bron het LAS en doel het "
   "SWV, ook in de terugkoppeling.",
   choice=True, source="oso-protocol.md §4 (routeringskenmerk layout [INF], Q14); "
                       "assumptions row 19")
_r("OSS.FLOW06", WAARSCHUWING, "Routeringskenmerk past niet bij BRIN",
   "A routeringskenmerk that follows the register layout names another BRIN than the BRIN field "
   "beside it.",
   "{element} \"{found}\" bevat BRIN {brin_rk}, maar {brin_field} is \"{brin}\".",
   choice=True, source="oso-protocol.md §4 (routeringskenmerk layout [INF], Q14)")

# --- documentResponse and the dossier ----------------------------------------------------------

_r("OSS.DOC01", FOUT, "Dossier als XML in plaats van base64",
   "documentResponse/dossier holds the dossier XML itself (as elements or escaped text) instead "
   "of base64 of the dossier bytes.",
   {"": "Het dossier staat als XML in documentResponse/dossier; verwacht is base64 van de "
        "dossierbytes (xs:base64Binary).",
    "tekst": "Het dossier staat als (ge-escapete) XML-tekst in documentResponse/dossier; "
             "verwacht is base64 van de dossierbytes."},
   choice=True, source="assumptions row 7 (Q9)")
_r("OSS.DOC02", FOUT, "Dossier geen geldige base64",
   "documentResponse/dossier is neither XML nor valid base64.",
   "documentResponse/dossier is geen geldige base64.",
   choice=True, source="assumptions row 7")
_r("OSS.DOC03", FOUT, "Onjuiste dossierVersie",
   "dossierVersie of documentRequest or documentResponse is not the gegevensset version of the "
   "SWV dossier (2019.1).",
   "dossierVersie \"{found}\": gegevensset {found} gevonden, {expected} verwacht.",
   choice=True, source="oso-protocol.md §2.5 [W18]; the literal is [choice] (row 6)")
_r("OSS.NS01", FOUT, "Dossier van een andere gegevensset",
   "The dossier root is not a dossier in the namespace of gegevensset 2019.1 (reused id of the "
   "dossier validator).",
   {"": "Het dossier gebruikt namespace \"{found}\"; verwacht is \"{expected}\".",
    "versie": "Gegevensset {found_version} gevonden, {expected_version} verwacht "
              "(namespace \"{found}\" in plaats van \"{expected}\").",
    "geen": "Het dossier heeft geen namespace; verwacht is \"{expected}\" (gegevensset "
            "{expected_version})."},
   source="dossier validator OSS.NS01")
_r("OG.02", FOUT, "Onjuiste standaardversie",
   "metadata/standaardversie is not 2019.1 while the namespace is that of 2019.1 (official id).",
   "standaardversie \"{found}\": gegevensset {found} gevonden, {expected} verwacht.",
   source="official stylesheet OG.02")
_r("OSS.DOS01", FOUT, "Dossier voldoet niet",
   "The dossier is of the right version but the dossier validator finds errors; run "
   "`oso-sim validate` for the full report. The validator's rule ids are listed.",
   "Het dossier is van gegevensset {expected} maar bevat {count} fout(en) ({found}); de "
   "volledige lijst geeft de dossiervalidatie.",
   source="oso_protocol.dossier.validate")


RULES: dict[str, DiagnosisRule] = {r.id: r for r in _RULES}
assert len(RULES) == len(_RULES), "duplicate rule id"


class _Keep(dict):
    """format_map helper: a placeholder without a value stays visible instead of raising."""

    def __missing__(self, key):
        return "{" + key + "}"


def message(rule_id: str, variant: str = "", **values) -> str:
    """The Dutch text of `rule_id` (variant) with `values` filled in."""
    rule = RULES[rule_id]
    text = rule.messages.get(variant, rule.messages.get("", next(iter(rule.messages.values()))))
    return text.format_map(_Keep({k: v for k, v in values.items() if v is not None}))


def render_markdown() -> str:
    lines = ["| Rule | Severity | Title | What it detects | Dutch text(s) | Source |",
             "|---|---|---|---|---|---|"]
    for r in _RULES:
        texts = "<br>".join(
            (f"*{k}*: " if k else "") + v.replace("|", "\\|") for k, v in r.messages.items())
        mark = " [choice]" if r.choice else ""
        lines.append(f"| {r.id} | {r.severity} | {r.title} | {r.description}{mark} | {texts} |"
                     f" {r.source} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_markdown())
