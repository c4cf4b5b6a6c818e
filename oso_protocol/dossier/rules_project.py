"""Rules beyond the standard (layer "project", ids OSS.*): what the official validation misses.

The profile matrix (D6), the toelichting in an opted-out category (D1), an empty wrapper left by an
opt-out, attachment sanity, and the ParnasSys process rule that a zorgvraag carries the
"Toelichting onderwijsbehoeften". OSS.XML01 and OSS.NS01 are reported by the validator itself.
"""
from __future__ import annotations

import binascii
import io
import zipfile

from .categories import CATEGORIES, OPT_UIT, PROFILES, VERBODEN, allowed_declarations
from .findings import LAYER_PROJECT, Finding
from .rules import RULES, message
from .rules_standard import _compiled, _text, xpath_location
from .version import GegevenssetVersion

_ZIP_LOCAL_HEADER = b"PK\x03\x04"
_ZIP_END = b"PK\x05\x06"
_OFF = (VERBODEN, OPT_UIT)


def check_project(root, version: GegevenssetVersion) -> list[Finding]:
    n = _compiled(version.namespace)[0]
    out: list[Finding] = []

    def add(rule, el, **kw):
        loc = "/" if el is None else xpath_location(el)
        out.append(Finding(rule, LAYER_PROJECT, RULES[rule].severity, loc, message(rule, **kw)))

    metadata = root.find(n.metadata)
    cu = metadata.find(n.categorie_uitlevering) if metadata is not None else None
    school = root.find(n.huidigeschool)
    leerling = school.find(n.leerling) if school is not None else None
    oo = leerling.find(n.onderwijsondersteuning) if leerling is not None else None
    declared = {c.tag: c for c in cu} if cu is not None else {}
    cat_oo = _text(declared.get(n.cat_onderwijsondersteuning))
    cat_hp = _text(declared.get(n.cat_handelingsplannen))

    # OSS.PM01: only for a profile we know; an unknown overstap is PaO.SO02's business and an
    # unknown value is CL48's.
    profile = _text(metadata.find(n.overstap)) if metadata is not None else None
    if profile in PROFILES:
        for cat in CATEGORIES:
            el = declared.get(n.q(cat.element))
            allowed = allowed_declarations(profile, cat.element)
            if el is not None and el.text in (VERBODEN, OPT_UIT, "VERPLICHT", "OPTIONEEL") \
                    and el.text not in allowed:
                add("OSS.PM01", el, cat=cat.element, value=el.text, profile=profile,
                    allowed=" of ".join(allowed))

    toelichting = oo.find(n.toelichting_onderwijsbehoeften) if oo is not None else None
    if cat_oo in _OFF and toelichting is not None:
        add("OSS.CAT09", toelichting, state="verboden" if cat_oo == VERBODEN else "uitgezet")

    # [choice] Only the onderwijsondersteuning wrapper can be left empty behind an opt-out without
    # any rule noticing: every other category's governed element is its own container, which
    # OS.cat* sees even when empty.
    if oo is not None and len(oo) == 0 and cat_oo in _OFF and cat_hp in _OFF:
        add("OSS.OPT01", oo)

    if leerling is not None and cat_oo not in _OFF:
        if toelichting is None or toelichting.find(n.document) is None:
            add("OSS.ZV01", leerling)

    _attachments(root, n, add)
    return out


def _attachments(root, n, add):
    # The same payload is often attached several times (the official examples reuse one blob);
    # each distinct text is decoded and inspected once.
    seen: dict[str, tuple[str, ...]] = {}
    for doc in root.iter(n.document):
        inhoud = doc.find(n.bestandsinhoud)
        if inhoud is None or inhoud.text is None:
            continue  # the XSD reports a missing or empty bestandsinhoud
        text = inhoud.text
        verdict = seen.get(text)
        if verdict is None:
            verdict = seen[text] = _inspect(text)
        naam = _text(doc.find(n.bestandsnaam)) or ""
        for rule in verdict:
            add(rule, inhoud, naam=naam)


def _inspect(text: str) -> tuple[str, ...]:
    try:
        data = binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        try:
            # Line breaks and indentation are allowed in base64 text; anything else is not.
            data = binascii.a2b_base64("".join(text.split()), strict_mode=True)
        except (binascii.Error, ValueError):
            return ("OSS.ATT01",)
    if not data.startswith(_ZIP_LOCAL_HEADER):
        return ("OSS.ATT02",)
    # Without an end-of-central-directory record there is nothing to open (truncated ZIP).
    if data.rfind(_ZIP_END, max(0, len(data) - 65557)) < 0:
        return ("OSS.ATT03",)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return ("OSS.ATT03",)
    return ()
