"""What an LAS holds about a school and a pupil: plain dataclasses, no XML.

The LAS stores pupils as JSON in SQLite and snapshots them when a zorgvraag is sent, so every
class round-trips through `to_dict()` / `from_dict()` with JSON-safe values (dates as ISO strings,
bytes as base64). The record is deliberately richer than the dossier: it may hold a bsn,
onderwijsnummer, geboorteplaats or banknummer, which the builder must leave out.
"""
from __future__ import annotations

import base64
import dataclasses
import types
import typing
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache


# --- JSON round-trip, shared by every record class -------------------------------------------

def _encode(value):
    if dataclasses.is_dataclass(value):
        return value.to_dict()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _optional(decode):
    return lambda value: None if value is None else decode(value)


@lru_cache(maxsize=None)
def _decoder(tp):
    """A function turning the JSON form of `tp` back into `tp`.

    Built once per type: a pupil record has a few thousand values, and reading type hints for
    each of them cost more than the whole dossier build.
    """
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decoder(inner[0])
    if origin in (list, tuple):
        item = _decoder(typing.get_args(tp)[0])
        return _optional(lambda value: [item(v) for v in value])
    if tp is date:
        return _optional(date.fromisoformat)
    if tp is bytes:
        return _optional(base64.b64decode)
    if dataclasses.is_dataclass(tp):
        return _optional(tp.from_dict)
    return lambda value: value


@lru_cache(maxsize=None)
def _field_decoders(cls) -> dict:
    hints = typing.get_type_hints(cls)
    return {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls)}


class _Record:
    def to_dict(self) -> dict:
        return {f.name: _encode(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict):
        decoders = _field_decoders(cls)
        # Unknown keys are ignored so an older snapshot still loads after a field was dropped.
        return cls(**{k: decoders[k](v) for k, v in data.items() if k in decoders})


# --- shared parts ------------------------------------------------------------------------------

@dataclass
class Adres(_Record):
    straat: str
    nummer: str
    postcode: str
    plaats: str
    soortadres: str = "gba"          # code list 19: bezoek, post, gba
    toevoeging: str | None = None
    gemeente: str | None = None


@dataclass
class Communicatie(_Record):
    soort: str                        # code list 4: telefoon, e-mail
    nummer: str
    aanduiding: str | None = None     # code list 5: werk, prive, overig
    geheim: bool = False
    noodnummer: bool | None = None


@dataclass
class Attachment(_Record):
    bestandsnaam: str
    content: bytes
    omschrijving: str | None = None
    mime: str = "application/pdf"


# --- school ------------------------------------------------------------------------------------

@dataclass
class School(_Record):
    naam: str
    brincode: str                     # [0-9][0-9][A-Z][A-Z]
    vestigingscode: str               # [0-9][0-9]
    aanleverpunt: str
    adressen: list[Adres] = field(default_factory=list)
    communicatie: list[Communicatie] = field(default_factory=list)
    soort: str | None = None
    type: str | None = None
    naamdirecteur: str | None = None
    website: str | None = None


# --- people around the pupil -------------------------------------------------------------------

@dataclass
class Huisarts(_Record):
    achternaam: str
    voornamen: list[str] = field(default_factory=list)
    voorletters: str | None = None
    voorvoegsel: str | None = None
    adressen: list[Adres] = field(default_factory=list)
    communicatie: list[Communicatie] = field(default_factory=list)


@dataclass
class Verzorger(_Record):
    achternaam: str
    wettigevertegenwoordiger: bool = True
    voornamen: list[str] = field(default_factory=list)
    voorletters: str | None = None
    voorvoegsel: str | None = None
    roepnaam: str | None = None
    geslacht: str | None = None       # code list 14: 0, 1, 2
    adresgeheim: bool = False
    adressen: list[Adres] = field(default_factory=list)
    communicatie: list[Communicatie] = field(default_factory=list)
    relatietotkind: str | None = None  # code list 41: 1..9
    overleden: bool | None = None
    overlijdensdatum: date | None = None
    banknummer: str | None = None     # kept by the LAS, never delivered (PaO.OV05)
    iban: str | None = None


# --- school career, vve, advice ----------------------------------------------------------------

@dataclass
class Schoolloopbaan(_Record):
    schooljaar: str                   # EEJJ-EEJJ, e.g. 2022-2023
    groepscode: str
    jaargroep: str                    # code list 13
    brincode: str
    vestigingscode: str
    groepsnaam: str | None = None
    begindatum: date | None = None
    einddatum: date | None = None
    schoolsoort: str | None = None
    schooltype: str | None = None


@dataclass
class Voorschools(_Record):
    codevoorschoolsprogramma: int     # code list 9
    voorschoolsemaanden: int          # 1..24
    codevoorschoolsehistorie: int | None = None   # code list 7
    codevoorschoolsetoeleider: int | None = None  # code list 6
    codevoorschoolsedeelname: int | None = None   # code list 8
    voorschoolseaanwezigheid: int | None = None


@dataclass
class Vroegschools(_Record):
    codevroegschoolsprogramma: int    # code list 9
    datumingang: date
    einddatum: date | None = None


@dataclass
class Vve(_Record):
    vanpeuterspeelzaal: bool | None = None
    naampeuterspeelzaal: str | None = None
    voorschools: Voorschools | None = None
    vroegschools: list[Vroegschools] = field(default_factory=list)


@dataclass
class Overstapadvies(_Record):
    advies: str | None = None         # code list 2
    wensouders: str | None = None
    wensleerling: str | None = None
    herzienadvies: str | None = None
    motivatie_herzienadvies: str | None = None
    profiel: str | None = None        # code list 21
    argumentatie: str | None = None
    contactnodig: bool | None = None
    contactpersoon: str | None = None
    contacttelefoon: str | None = None
    contactemail: str | None = None
    aandachtspunten: str | None = None  # max 280; the zorgvraag's own field takes precedence


# --- onderwijsondersteuning --------------------------------------------------------------------

@dataclass
class Diagnose(_Record):
    codes: list[str]                  # code list 23, at least one
    naam: str | None = None
    datum: date | None = None
    doorwie: str | None = None
    instantie: str | None = None
    documenten: list[Attachment] = field(default_factory=list)


@dataclass
class Handelingsplan(_Record):
    startdatum: date
    isgerichtop: str
    einddatum: date | None = None
    document: Attachment | None = None


@dataclass
class Opp(_Record):
    ingangdatum: date
    einddatum: date | None = None
    documenten: list[Attachment] = field(default_factory=list)


@dataclass
class Tlv(_Record):
    ingangdatum: date
    swvnummer: str
    categorie: str                    # code list 31: H, M, L, Nvt
    beschikkingsnummer: str
    einddatum: date | None = None
    document: Attachment | None = None


@dataclass
class ArrangementCluster12(_Record):
    datum: date
    brin: str | None = None
    vestigingscode: str | None = None


@dataclass
class ArrangementPao(_Record):
    datum: date
    kenmerk: str | None = None
    beschikkingsnr: str | None = None
    einddatum: date | None = None


@dataclass
class Lwoo(_Record):
    ingangdatum: date
    swvnummer: str
    beschikkingsnummer: str
    einddatum: date | None = None     # must be a 31 July (OG.03)
    document: Attachment | None = None


@dataclass
class Onderwijsondersteuning(_Record):
    diagnoses: list[Diagnose] = field(default_factory=list)
    medicijngebruik: bool | None = None
    handelingsplannen: list[Handelingsplan] = field(default_factory=list)
    opp: Opp | None = None
    tlv: list[Tlv] = field(default_factory=list)
    arrangementen_cluster12: list[ArrangementCluster12] = field(default_factory=list)
    arrangementen_pao: list[ArrangementPao] = field(default_factory=list)
    lwoo: Lwoo | None = None


# --- verzuim, toetsen ----------------------------------------------------------------------------

@dataclass
class Verzuim(_Record):
    dagdelengeoorloofd: int | None = None
    dagdelenongeoorloofd: int | None = None
    urengeoorloofd: int | None = None
    urenongeoorloofd: int | None = None
    meerdan25percent: bool | None = None
    frequentie: int | None = None
    contactleerplicht: bool | None = None
    rmcmelding: bool | None = None
    documenten: list[Attachment] = field(default_factory=list)


@dataclass
class Toetsscore(_Record):
    aantalopgaven: int | None = None
    aantalgoed: int | None = None
    aantalfout: int | None = None
    aantalgelezen: int | None = None
    tijd: float | None = None
    vaardigheidsscore: float | None = None
    codevaardigheidsschaal: str | None = None

    def has_count(self) -> bool:
        """PaO.TR02: a toetsscore needs at least one of these."""
        return any(v is not None for v in (self.aantalopgaven, self.aantalgoed, self.aantalfout,
                                           self.aantalgelezen, self.tijd, self.vaardigheidsscore))


@dataclass
class Referentiescore(_Record):
    codereferentiescore: str          # code list 11
    codevergelijkingsgroep: str       # code list 22
    waarde: str
    kwalificatie: str | None = None


@dataclass
class Toetsresultaat(_Record):
    toetsscore: Toetsscore | None = None
    referentiescores: list[Referentiescore] = field(default_factory=list)
    document: Attachment | None = None


@dataclass
class Toetsonderdeel(_Record):
    eldonderdeelcode: str
    resultaat: Toetsresultaat
    onderdeelnaam: str | None = None


@dataclass
class Toets(_Record):
    eldtoetscode: str
    afnamedatum: date
    resultaat: Toetsresultaat
    leergebied: str | None = None
    toetsnaam: str | None = None
    toetsversie: str | None = None
    jaargroep: str | None = None
    dl: int | None = None
    afgenomendoor: str | None = None
    functie: str | None = None
    onderdelen: list[Toetsonderdeel] = field(default_factory=list)
    opmerking: str | None = None


# --- VO only -------------------------------------------------------------------------------------

@dataclass
class EindtoetsOnderdeel(_Record):
    onderdeelcode: str                # code list 46: 8000, 8001
    onderdeelomschrijving: str | None = None
    referentieniveau: str | None = None  # code list 45


@dataclass
class Eindtoets(_Record):
    deelgenomen: bool
    toetssoort: str | None = None     # code list 42; no result block without it
    toetsniveau: str = "G"            # code list 43
    toetsomschrijving: str | None = None
    datum_afname: date | None = None
    wettelijke_ontheffing: str | None = None  # code list 44: J, N
    standaardscore: int | None = None
    toets_advies: str | None = None
    onderdelen: list[EindtoetsOnderdeel] = field(default_factory=list)
    documenten: list[Attachment] = field(default_factory=list)


@dataclass
class Vombo(_Record):
    bevorderd_elementcode: str | None = None  # [0-9]{4}
    bevorderd_leerjaar: str | None = None     # code list 13
    certificaten: list[str] = field(default_factory=list)
    keuzevervolgopleiding: str | None = None
    beroepskeuzetest: bool | None = None      # the four flags below form overigvombo together
    portfolio: bool | None = None
    pop: bool | None = None
    motivatiebrief: bool | None = None
    lobdossier: bool | None = None


@dataclass
class Inzage(_Record):
    voorlopigdossier: bool = False
    inzage: bool | None = None
    inzagedatum: date | None = None
    akkoord: str | None = None        # code list 37: Ja, Nee, Onbekend
    redennietakkoord: str | None = None
    toestemming: str | None = None


# --- the pupil ---------------------------------------------------------------------------------

@dataclass
class Leerling(_Record):
    achternaam: str
    geboortedatum: date | None = None
    voornamen: list[str] = field(default_factory=list)
    voorletters: str | None = None
    voorvoegsel: str | None = None
    roepnaam: str | None = None
    geslacht: str | None = None       # code list 14
    adresgeheim: bool = False
    adressen: list[Adres] = field(default_factory=list)
    communicatie: list[Communicatie] = field(default_factory=list)
    # Held by the LAS, never delivered in an SWV dossier (PaO.LL10-LL12).
    geboorteplaats: str | None = None
    nationaliteit: list[str] = field(default_factory=list)
    bsn: str | None = None
    onderwijsnummer: str | None = None
    leerlingid: str | None = None
    onderwijssinds: date | None = None
    startdatumhuidigonderwijs: date | None = None
    datuminschrijving: date | None = None
    leerlinggewicht: str | None = None  # code list 15
    tehuis: bool | None = None
    huisarts: Huisarts | None = None
    verzorgersaansprakelijk: bool | None = None
    verzorgers: list[Verzorger] = field(default_factory=list)
    schoolloopbaan: list[Schoolloopbaan] = field(default_factory=list)
    vve: Vve | None = None
    overstapadvies: Overstapadvies | None = None
    onderwijsondersteuning: Onderwijsondersteuning | None = None
    verzuim: Verzuim | None = None
    toetsen: list[Toets] = field(default_factory=list)
    eindtoets: Eindtoets | None = None  # VO pupils only: the PO eindtoets they took
    vombo: Vombo | None = None          # VO pupils only
    inzage: Inzage | None = None

    @property
    def weergavenaam(self) -> str:
        voornaam = self.roepnaam or (self.voornamen[0] if self.voornamen else "")
        return " ".join(p for p in (voornaam, self.voorvoegsel, self.achternaam) if p)
