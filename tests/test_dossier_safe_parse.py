"""The safe parser: the DOCTYPE scan equals a plain search, and the per-thread parser stays safe
after refusing input."""
from __future__ import annotations

import random
import threading

import pytest

from oso_protocol.xmlsafe import XmlInputError, _has_doctype, parse_bytes


def test_doctype_scan_equals_plain_search():
    rng = random.Random(5)
    pieces = [b"<!DOCTYPE", b"<!DOCTYP", b"!DOCTYPE", b"<DOCTYPE", b"<!--", b"!", b"<", b"x"]
    for _ in range(20000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        assert _has_doctype(data) == (data.find(b"<!DOCTYPE") != -1), data
    many = b"<!-- ! -->" * 50
    assert not _has_doctype(many) and _has_doctype(many + b"<!DOCTYPE x>")


@pytest.mark.parametrize("bad", [
    b"<a><b></a>",
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
    b"<a>&undeclared;</a>",
    b"",
])
def test_refusal_leaves_the_parser_usable_and_safe(bad):
    with pytest.raises(XmlInputError):
        parse_bytes(bad)
    assert parse_bytes(b"<a><b>x</b></a>")[0].text == "x"
    with pytest.raises(XmlInputError):
        parse_bytes(b'<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>')


def test_threads_parse_side_by_side():
    errors = []

    def work(i):
        try:
            for j in range(200):
                root = parse_bytes(b"<r><n>%d-%d</n></r>" % (i, j))
                assert root[0].text == f"{i}-{j}"
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
