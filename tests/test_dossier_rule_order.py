"""Findings of one code list come in document order, also where the tree is walked in parts."""
from __future__ import annotations

from dossier_samples import minimal_dossier, q, sub
from oso_protocol.dossier.rules_standard import check_standard
from oso_protocol.dossier.version import V2019_1


def test_nested_categorie_uitlevering_in_document_order():
    root = minimal_dossier()
    cu = root.find(q("metadata")).find(q("categorie_uitlevering"))
    first = cu[0]
    name = first.tag.split("}")[1]
    first.text = "X"
    inner = sub(sub(sub(first, "metadata"), "categorie_uitlevering"), name, "Y")
    assert inner is not None
    sub(cu, name, "Z")
    cu48 = [f.location for f in check_standard(root, V2019_1) if f.rule == "CL48"]
    base = "/dossier[1]/metadata[1]/categorie_uitlevering[1]/"
    assert cu48 == [base + f"{name}[1]",
                    base + f"{name}[1]/metadata[1]/categorie_uitlevering[1]/{name}[1]",
                    base + f"{name}[2]"]


def test_code_list_value_valid_for_one_list_only():
    # "aanduiding" is coded by list 5 under communicatie and list 18 under adres; a value of
    # one list is wrong under the other.
    root = minimal_dossier()
    adres = root.find(q("huidigeschool")).find(q("adreslijst")).find(q("adres"))
    sub(adres, "aanduiding", "werk")
    comm = root.find(q("huidigeschool")).find(q("communicatielijst")).find(q("communicatie"))
    sub(comm, "aanduiding", "TO")
    rules = [f.rule for f in check_standard(root, V2019_1) if f.rule in ("CL5", "CL18")]
    assert sorted(rules) == ["CL18", "CL5"]
