"""argparse in Dutch: its frame (usage, headings, -h) and its errors.

argparse marks every text it prints with gettext; Python ships no Dutch catalogue for it, so the
translations live here and are installed by pointing argparse's own `_`/`ngettext` at them. Texts
argparse only raises for programming mistakes (conflicting options and the like) stay English:
no user of oso-sim can cause them.
"""
from __future__ import annotations

import argparse

NL = {
    "usage: ": "gebruik: ",
    "options": "opties",
    "positional arguments": "argumenten",
    "show this help message and exit": "toon deze hulp en stop",
    "the following arguments are required: %s": "deze argumenten zijn verplicht: %s",
    "unrecognized arguments: %s": "onbekende argumenten: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ongeldige keuze: %(value)r (kies uit %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s: %(message)s",
    "expected one argument": "verwacht één waarde",
    "expected at most one argument": "verwacht hooguit één waarde",
    "expected at least one argument": "verwacht minstens één waarde",
    "invalid %(type)s value: %(value)r": "ongeldige waarde %(value)r (verwacht: %(type)s)",
    "ambiguous option: %(option)s could match %(matches)s": "dubbelzinnige optie: %(option)s kan zijn %(matches)s",
    "not allowed with argument %s": "niet toegestaan samen met %s",
    "one of the arguments %s is required": "een van deze argumenten is verplicht: %s",
    "ignored explicit argument %r": "waarde %r genegeerd: deze optie neemt geen waarde",
    "unexpected option string: %s": "onverwachte optie: %s",
    "can't open '%(filename)s': %(error)s": "kan '%(filename)s' niet openen: %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "onbekende opdracht %(parser_name)r (kies uit %(choices)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fout: %(message)s\n",
}

def gettext(text: str) -> str:
    return NL.get(text, text)


def ngettext(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return "verwacht %s waarde" if n == 1 else "verwacht %s waarden"
    return singular if n == 1 else plural


def install() -> None:
    argparse._ = gettext
    argparse.ngettext = ngettext
