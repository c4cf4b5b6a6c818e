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

# [choice] Older releases are recognised by name only, to say which one a dossier claims; the
# namespace of gegevensset YYYY.x is .../oso_gegevensset/YYYY/dossier (2018.1 follows the 2019.1
# layout, as the harness's older-vocabulary dossier does).
_NS_PREFIX = "http://www.edustandaard.nl/oso_gegevensset/"
_NS_SUFFIX = "/dossier"


def namespace_year(namespace: str | None) -> str | None:
    """The year part of a gegevensset namespace ('2018' for .../2018/dossier), else None."""
    if not namespace or not namespace.startswith(_NS_PREFIX) or not namespace.endswith(_NS_SUFFIX):
        return None
    year = namespace[len(_NS_PREFIX):-len(_NS_SUFFIX)]
    return year if year and "/" not in year else None
