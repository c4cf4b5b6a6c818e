"""Finding locations (/dossier[1]/huidigeschool[1]/...) equal their definition on every element."""
from __future__ import annotations

import pytest
from lxml import etree

from dossier_samples import EXAMPLE_NAMES, load_example, minimal_dossier
from oso_protocol.dossier.rules_standard import _location_walk, xpath_location


def definition(el) -> str:
    # Per ancestor: local name and 1 + the number of preceding siblings with the same tag.
    parts = []
    while el is not None:
        pos = 1 + sum(1 for _ in el.itersiblings(el.tag, preceding=True))
        parts.append("%s[%d]" % (etree.QName(el).localname, pos))
        el = el.getparent()
    return "/" + "/".join(reversed(parts))


ODD = (b'<r xmlns="http://x.nl/a/b"><x/><!--c--><x><y/><y xmlns=""/><y/><?pi x?><y xmlns="http://x.nl/a/b"/></x>'
       b'<x xmlns="urn:o"><x/><x/></x><x/><z xmlns="q"/><z/><p:z xmlns:p="http://x.nl/a/b"/></r>')


def _bracketed():
    # Namespace URIs with "/" and "[" in them (IPv6 hosts).
    ns = "{http://[::1]/a/b}"
    root = etree.Element(ns + "r")
    x = etree.SubElement(root, ns + "x")
    etree.SubElement(x, ns + "y")
    etree.SubElement(x, "{other}y")
    etree.SubElement(x, ns + "y")
    etree.SubElement(root, "{http://[::2]/q}x")
    etree.SubElement(root, ns + "x")
    return root


def _check(root):
    for el in root.iter(etree.Element):
        assert xpath_location(el) == definition(el) == _location_walk(el)


def test_minimal_dossier():
    _check(minimal_dossier())


def test_foreign_namespaces_and_same_tag_siblings():
    _check(etree.fromstring(ODD))
    _check(_bracketed())
    _check(etree.fromstring(b"<r/>"))
    _check(etree.fromstring(b"<r><a/><a><a/><b/><a/></a></r>"))


def test_detached_subtree():
    root = etree.fromstring(b'<r xmlns="u"><a><b/><b><c/></b></a></r>')
    a = root[0]
    root.remove(a)
    for el in a.iter():
        assert xpath_location(el) == definition(el)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_official_examples(name):
    _check(load_example(name))
