"""Length limits for the text fields of the JSON APIs, the same on the three actors.

Every string in a JSON body is held against the limit of its field name (the key it stands under,
at any depth; the items of a list under the list's key), and every key against KEY_MAX, before a
handler sees the body: a 10 MB omschrijving or a 1 MB achternaam is refused with a Dutch 400
instead of being stored. File contents travel as base64 and have their own limits (the LAS: 10 MB
per file), so they are left to those. The table is in docs/actors.md.
"""
from __future__ import annotations

from flask import Flask, jsonify, request

CODE = "TekstTeLang"
DEFAULT_MAX = 1_000
KEY_MAX = 100
LIMITS = {
    **dict.fromkeys(("achternaam", "voornamen", "voornaam", "roepnaam", "tussenvoegsel", "tussenvoegsels",
                     "voorletters", "geboortenaam", "naam", "behandelaar"), 200),
    "bestandsnaam": 255,
    **dict.fromkeys(("omschrijving", "url"), 2_000),
    **dict.fromkeys(("toelichting", "aandachtspunten", "argumentatie", "opmerking", "opmerkingen",
                     "motivatie", "tekst", "samenvatting", "beschrijving"), 10_000),
}
# base64 file contents: bounded per file by the actor that takes them, not as text
FILE_FIELDS = frozenset({"inhoud_base64", "content"})
# a body declared larger than this is left to the actor's own body limit, unread here; one
# without a declared length (chunked) is read up to it
CHECKED_BODY_BYTES = 96 * 1024 * 1024


def limit_of(key: str) -> int | None:
    key = key.lower()
    return None if key in FILE_FIELDS else LIMITS.get(key, DEFAULT_MAX)


def too_long(value, key: str = "") -> str | None:
    """The Dutch reason the first field over its limit is refused, None when all fit."""
    stack = [(value, key)]
    while stack:
        item, name = stack.pop()
        if isinstance(item, dict):
            for k, v in item.items():
                if len(k) > KEY_MAX:
                    return f"Een veldnaam is {len(k)} tekens lang; de grens is {KEY_MAX} tekens."
                stack.append((v, k))
        elif isinstance(item, list):
            stack.extend((v, name) for v in item)
        elif isinstance(item, str):
            limit = limit_of(name)
            if limit is not None and len(item) > limit:
                veld = f"Het veld {name}" if name else "De tekst"
                return f"{veld} is {len(item)} tekens lang; de grens is {limit} tekens."
    return None


def register_text_limits(app: Flask) -> None:
    @app.before_request
    def _text_limits():
        if not request.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return None
        if not request.is_json or (request.content_length or 0) > CHECKED_BODY_BYTES:
            return None
        if request.content_length is None and (request.max_content_length or CHECKED_BODY_BYTES + 1) > CHECKED_BODY_BYTES:
            request.max_content_length = CHECKED_BODY_BYTES
        reason = too_long(request.get_json(silent=True))
        if reason is None:
            return None
        return jsonify({"fout": reason, "code": CODE}), 400
