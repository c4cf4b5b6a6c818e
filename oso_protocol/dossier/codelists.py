"""The code lists of gegevensset 2019.1 as the official validation checks them.

The XSD enumerates almost none of these; the business-rule layer does. Each entry names the
element by its chain of element names (the XPath of codelists.md without the `od:` prefixes):
the last name is the coded element, the names before it are its direct ancestors, innermost
last. The field labels are the ones the official messages use.
"""
from __future__ import annotations

from dataclasses import dataclass

from .categories import BY_ELEMENT as _CATEGORIES, CATEGORIE_WAARDEN

_VO_ADVIES = ("01", "10", "20", "21", "22", "23", "30", "31", "32", "33", "34", "35", "40", "41",
              "42", "43", "44", "50", "51", "52", "60", "61", "70", "80")
_VVE_PROGRAMMA = tuple(str(i) for i in range(1, 16))
_REFERENTIENIVEAU = ("01", "02", "03", "04")


@dataclass(frozen=True)
class CodeList:
    number: int
    label: str                 # field name as the official message words it
    chain: tuple[str, ...]     # ancestors..., element (local names)
    values: frozenset[str]
    where: str = ""            # words after the field name in the message

    @property
    def rule(self) -> str:
        return f"CL{self.number}"

    @property
    def element(self) -> str:
        return self.chain[-1]

    @property
    def xpath(self) -> str:
        return "/descendant::*/" + "/".join("od:" + n for n in self.chain)

    def message(self) -> str:
        return (f"Het veld '{self.label}'{self.where} bevat een waarde die niet voorkomt in "
                f"codelijst {self.number}.")


def _cl(number: int, label: str, path: str, values, where: str = "") -> CodeList:
    return CodeList(number, label, tuple(path.split("/")), frozenset(values), where)


# Deeldossier (list 33) is not checked per element: the official rule fires once, at document
# level, when no deeldossier with a listed value exists at all (so also when it is missing).
DEELDOSSIER = _cl(33, "Deeldossier type", "metadata/deeldossier", ("LAS", "LVS", "LASLVS", "TIB"),
                  " binnen metadata")

CODELISTS: tuple[CodeList, ...] = (
    _cl(2, "VO advies volgens school", "overstapadvies/advies", _VO_ADVIES),
    _cl(2, "VO advies volgens ouders", "overstapadvies/wensouders", _VO_ADVIES),
    _cl(2, "VO advies volgens leerling", "overstapadvies/wensleerling", _VO_ADVIES),
    _cl(2, "Herzien VO advies", "overstapadvies/herzienadvies", _VO_ADVIES),
    _cl(4, "Communicatie soort", "communicatie/soort", ("e-mail", "telefoon")),
    _cl(5, "Communicatie aanduiding", "communicatie/aanduiding", ("werk", "prive", "overig")),
    _cl(6, "Voorschoolse toeleider", "voorschools/codevoorschoolsetoeleider",
        tuple(str(i) for i in range(1, 10))),
    _cl(7, "Voorschoolse historie", "voorschools/codevoorschoolsehistorie", ("1", "2", "3", "4", "5")),
    _cl(8, "Voorschoolse deelname", "voorschools/codevoorschoolsedeelname", ("1", "2", "3", "4", "5")),
    _cl(9, "Voorschoolse programma", "voorschools/codevoorschoolsprogramma", _VVE_PROGRAMMA),
    _cl(9, "Vroegschoolse programma", "vroegschools/codevroegschoolsprogramma", _VVE_PROGRAMMA),
    _cl(10, "NNCA", "nnca", ("0", "1", "2")),
    _cl(11, "Code van referentiescore", "referentiescore/codereferentiescore",
        ("AE", "CAE", "IV", "CIV", "FN", "ON", "DLE", "Percentiel", "Percentage", "T-score",
         "Stanine", "DQ", "IQ", "ERK", "C-score", "Norm", "RNTRM", "ZML", "LGH", "AVI", "NAZ", "LM",
         "Standaardscore", "LA")),
    _cl(13, "Leerjaar", "jaargroep",
        ("0", "1", "2", "3", "4", "5", "6", "7", "8", "11", "12", "13", "14", "15", "16", "S", "P")),
    _cl(14, "Geslacht", "geslacht", ("0", "1", "2")),
    _cl(15, "Leerlinggewicht", "leerlinggewicht", ("0.00", "0.30", "1.20")),
    _cl(16, "Soort overstap", "metadata/overstap",
        ("VSPO", "VSWEC", "POPO", "POWEC", "POVO", "VOVO", "VOMBO", "VOHBO", "VOWO", "WECWEC",
         "WECVO", "WECMBO", "POSWV", "VOSWV", "WECHBO", "WECWO", "OVERIG")),
    _cl(17, "RVC indicatie", "rvc/rvcindicatie", ("LWOO", "PRO")),
    _cl(18, "Huisnummer aanduiding", "adres/aanduiding", ("TO", "BY")),
    _cl(19, "Soort adres", "adres/soortadres", ("bezoek", "post", "gba")),
    _cl(21, "Profiel", "overstapadvies/profiel",
        ("basis", "plus", "bespreek", "disharmonisch", "ondersteuning")),
    _cl(22, "Code van vergelijkingsgroep", "referentiescore/codevergelijkingsgroep",
        ("BB+", "BB", "KB", "GT", "HAVO", "VWO", "Landelijk")),
    _cl(23, "Code van diagnose", "diagnose/code",
        ("F79.VB", "F79.ZB", "HB", "F80", "F81.0", "F81.1", "F81.2", "F81.9", "F82", "F84",
         "F84.0", "F84.2", "F84.5", "F84.nld", "F84.mcdd", "F90", "F90.0", "F90.0+", "F90.0-",
         "F91", "F91.3", "F95", "F95.2", "F41.0", "F43.1", "F43.2", "F50", "F92.0", "F93.1",
         "F94", "Fspd", "G40", "H54.0", "H54.2", "H91.9.d", "H91.9.s", "Z62")),
    _cl(29, "Soort overdracht", "overdrachtsoort",
        ("overstapdossier", "overdrachtbinnenbrin", "swv-dossier")),
    _cl(31, "TLV bekostigingscategorie", "tlv/tlvcategorie", ("H", "M", "L", "Nvt")),
    _cl(35, "Examenuitslag", "examenresultaat/examenuitslag", ("geslaagd", "afgewezen", "herexamen")),
    _cl(36, "Beoordeling van examenvak", "resultaatvakkenvo/beoordelingexamenvak",
        ("voldoende", "onvoldoende")),
    _cl(37, "Akkoord", "inzage/akkoord", ("Ja", "Nee", "Onbekend")),
    _cl(37, "Toestemming", "inzage/toestemming", ("Ja", "Nee", "Onbekend")),
    _cl(41, "Relatie tot kind", "verzorger/relatietotkind", tuple(str(i) for i in range(1, 10))),
    _cl(42, "Toetssoort", "eindtoets_basisonderwijs/eindtoetsresultaat/toetssoort",
        ("0011", "0012", "0013", "0014", "0016")),
    _cl(43, "Toetsniveau", "eindtoets_basisonderwijs/eindtoetsresultaat/toetsniveau", ("G",)),
    _cl(44, "Wettelijke ontheffing", "eindtoets_basisonderwijs/eindtoetsresultaat/wettelijke_ontheffing",
        ("J", "N")),
    _cl(45, "Onderdeel referentiescore",
        "eindtoets_basisonderwijs/eindtoetsresultaat/onderdelen/onderdeel/ond_referentieniveau",
        _REFERENTIENIVEAU),
    _cl(45, "Domein referentiescore",
        "eindtoets_basisonderwijs/eindtoetsresultaat/onderdelen/onderdeel/domeinen/domein/dom_referentieniveau",
        _REFERENTIENIVEAU),
    _cl(46, "Onderdeelcode",
        "eindtoets_basisonderwijs/eindtoetsresultaat/onderdelen/onderdeel/onderdeelcode",
        ("8000", "8001")),
    _cl(47, "Domeincode",
        "eindtoets_basisonderwijs/eindtoetsresultaat/onderdelen/onderdeel/domeinen/domein/domeincode",
        ("8050", "8051")),
) + tuple(
    _cl(48, f"Categorie {_CATEGORIES[cat].label}", f"metadata/categorie_uitlevering/{cat}",
        CATEGORIE_WAARDEN, f" ({cat}) binnen metadata")
    for cat in (
        "cat_metadata", "cat_ouderinzage", "cat_school", "cat_leerling", "cat_oudersverzorgers",
        "cat_vve", "cat_schoolloopbaan", "cat_overstapadvies", "cat_onderwijsondersteuning",
        "cat_verzuim", "cat_eindtoetsbo", "cat_toetsresultaten", "cat_handelingsplannen",
        "cat_cijferlijsten", "cat_vombo", "cat_bijlagedocs",
    )
)

# Coded element local name -> the lists that may apply to it (e.g. `aanduiding`: lists 5 and 18,
# told apart by the parent).
BY_ELEMENT: dict[str, tuple[CodeList, ...]] = {}
for _c in CODELISTS:
    BY_ELEMENT[_c.element] = BY_ELEMENT.get(_c.element, ()) + (_c,)

LIST_NUMBERS: tuple[int, ...] = tuple(sorted({c.number for c in CODELISTS} | {DEELDOSSIER.number}))
