"""Namespace and version literals of the gegevensset.

They are data, not code: a later gegevensset (2022.1, 2024.1, ...) gets a namespace and literals of
its own, and a dossier in another namespace must be reported as such, not half-validated.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GegevenssetVersion:
    name: str
    namespace: str
    standaardversie: str
    validatieversie: str


V2019_1 = GegevenssetVersion(
    name="2019.1",
    namespace="http://www.edustandaard.nl/oso_gegevensset/2019/dossier",
    standaardversie="2019.1",
    validatieversie="2019.1.1",
)

DEFAULT_VERSION = V2019_1
NS = V2019_1.namespace
