"""Small valid SWV dossiers built in code, for tests that must run without the reference folder."""
from __future__ import annotations

import base64
import io
import zipfile

from lxml import etree

from oso_protocol.dossier.categories import CATEGORIES, PROFILE_MATRIX, POSWV
from harness.runtime.reference_data import missing, official_examples
from oso_protocol.dossier.version import V2019_1

NS = V2019_1.namespace
EXAMPLES = official_examples()


def q(name: str) -> str:
    return "{%s}%s" % (NS, name)


def sub(parent, name, text=None, index=None):
    el = etree.Element(q(name))
    if text is not None:
        el.text = text
    if index is None:
        parent.append(el)
    else:
        parent.insert(index, el)
    return el


def zip_b64(name="toelichting.pdf", content=b"%PDF-1.4 toelichting") -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, content)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _adres(parent):
    lijst = sub(parent, "adreslijst")
    a = sub(lijst, "adres")
    for k, v in (("soortadres", "bezoek"), ("straat", "Dorpsstraat"), ("nummer", "1"),
                 ("postcode", "1234AB"), ("plaats", "Ergens")):
        sub(a, k, v)


def _communicatie(parent, soort="telefoon", nummer="0101234567", geheim=None):
    lijst = parent.find(q("communicatielijst"))
    if lijst is None:
        lijst = sub(parent, "communicatielijst")
    c = sub(lijst, "communicatie")
    sub(c, "soort", soort)
    sub(c, "nummer", nummer)
    if geheim is not None:
        sub(c, "geheim", geheim)
    return c


def minimal_dossier(profile: str = POSWV):
    """A minimal dossier of `profile` that passes the XSD, the standard and the project rules."""
    root = etree.Element(q("dossier"), nsmap={None: NS})
    md = sub(root, "metadata")
    for k, v in (("deeldossier", "LASLVS"), ("pakketnaam", "Test"), ("pakketversie", "1"),
                 ("datum", "2019-05-01"), ("standaardversie", V2019_1.standaardversie),
                 ("validatieversie", V2019_1.validatieversie)):
        sub(md, k, v)
    cu = sub(md, "categorie_uitlevering")
    for cat in CATEGORIES:
        sub(cu, cat.element, PROFILE_MATRIX[profile][cat.element])
    sub(md, "overstap", profile)
    sub(root, "overdrachtsoort", "swv-dossier")
    school = sub(root, "huidigeschool")
    sub(school, "naam", "Testschool")
    _adres(school)
    _communicatie(school)
    for k, v in (("brincode", "00YY"), ("vestigingscode", "00"), ("aanleverpunt", "1")):
        sub(school, k, v)
    ll = sub(school, "leerling")
    sub(ll, "voornaam", "Daan")
    sub(ll, "achternaam", "Berg")
    sub(ll, "geboortedatum", "2010-03-17")
    sub(ll, "geslacht", "1")
    sub(ll, "adresgeheim", "false")
    _adres(ll)
    sub(ll, "leerlingid", "LN1")
    sub(ll, "verzorgersaansprakelijk", "true")
    slb = sub(sub(ll, "schoolloopbaanlijst"), "schoolloopbaan")
    for k, v in (("schooljaar", "2018-2019"), ("groepscode", "7"), ("jaargroep", "7"),
                 ("brincode", "00YY"), ("vestigingscode", "00")):
        sub(slb, k, v)
    oo = sub(ll, "onderwijsondersteuning")
    doc = sub(sub(oo, "toelichting_onderwijsbehoeften"), "document")
    sub(doc, "bestandsnaam", "Toelichting.pdf")
    sub(doc, "bestandsinhoud", zip_b64())
    v = sub(ll, "verzorger")
    sub(v, "achternaam", "Berg")
    sub(v, "wettigevertegenwoordiger", "true")
    return root


def leerling(root):
    return root.find(q("huidigeschool")).find(q("leerling"))


def child(parent, name):
    return parent.find(q(name))


def insert_leerling_child(root, name, text=None, before=None):
    """Insert `name` into leerling, before the child `before` (or at the end)."""
    ll = leerling(root)
    idx = None
    if before is not None:
        idx = list(ll).index(ll.find(q(before)))
    return sub(ll, name, text, idx)


def set_cat(root, element, value):
    root.find(q("metadata")).find(q("categorie_uitlevering")).find(q(element)).text = value


def load_example(name: str):
    import pytest

    path = EXAMPLES / name
    if not path.is_file():
        pytest.skip(missing(path))
    return etree.parse(str(path)).getroot()


EXAMPLE_NAMES = (
    "Voorbeelddossier_PaO_POSWV_full.xml",
    "Voorbeelddossier_PaO_POSWV_opt_out.xml",
    "Voorbeelddossier_PaO_VOSWV_full.xml",
    "Voorbeelddossier_PaO_VOSWV_opt_out.xml",
)
