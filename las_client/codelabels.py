"""Dutch labels for the code lists a teacher meets on the leerlingkaart, as far as the official
gegevensset 2019.1 XSD spells them out in its documentation (../shared/reference). A code whose
wording is not published there is shown as the code with the name of its list, never guessed.
"""
from __future__ import annotations

# codelijst 41 "Relatie tot kind": the XSD names 1, 2 and 3
RELATIE_TOT_KIND = {"1": "Vader", "2": "Moeder", "3": "Voogd"}
# codelijst 31 "TLV bekostigingscategorie"
TLV_CATEGORIE = {"Nvt": "niet van toepassing", "H": "hoog", "M": "middel", "L": "laag"}


def relatie(code: str | None) -> str | None:
    if not code:
        return None
    return RELATIE_TOT_KIND.get(code) or f"code {code} (codelijst 41 Relatie tot kind)"


def advies(code: str | None) -> str | None:
    # codelijst 2 "Advies VO" is DUO's list; its wording is not in the gegevensset
    return f"code {code} (codelijst 2 Advies VO)" if code else None


def jaargroep(code: str | None) -> str:
    """codelijst 13 "Jaargroepen - leerjaren": P peutergroep, 0-8 PO, 11-16 VO leerjaar 1-6, S."""
    if not code:
        return ""
    if code == "P":
        return "peutergroep"
    if code == "S":
        return "SBO/SO/VSO"
    if code.isdigit() and 0 <= int(code) <= 8:
        return f"groep {int(code)}"
    if code.isdigit() and 11 <= int(code) <= 16:
        return f"VO leerjaar {int(code) - 10}"
    return f"code {code}"


def tlv_categorie(code: str | None) -> str | None:
    return TLV_CATEGORIE.get(code or "", code)
