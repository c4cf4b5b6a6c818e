"""Deliberate faults a conformance self-check can switch on to play a broken Traffic Center
(config DEFECTS). Each breaks one rule of the TC: it is a subclass of oso_mock.policy.TcPolicy
that replaces the step holding that rule, and `policy()` composes the ones switched on; with
DEFECTS empty the correct TcPolicy runs untouched. The catalogue with the scenarios meant to
catch each one is harness/conformance/defects.py."""
from __future__ import annotations

from actor_kit import defect_switch

from .policy import TcPolicy

OFFER_INACTIVE = "offer_inactive"                    # overzichtAanleverpunt lists inactive ones too
ACCEPT_INACTIVE_DOEL = "accept_inactive_doel"        # meldenNotificatie to an inactive aanleverpunt
CONTROLE_NA_AFMELDING = "controle_na_afmelding"      # sessiecontrole: a signed-off session is valid
CONTROLE_NEGEERT_AFWIJKING = "controle_negeert_afwijking"  # sessiecontrole: data need not match
TERUGKOPPELING_VOOR_OPHALEN = "terugkoppeling_voor_ophalen"  # before the dossier was fetched
TERUGKOPPELING_ONBEKEND = "terugkoppeling_onbekende_koppelsleutel"  # for a key never issued
TERUGKOPPELING_ELK_SWV = "terugkoppeling_van_elk_swv"  # from an SWV aanleverpunt not notified

# name -> the policy subclass that plays it; registration order is precedence when two replace
# the same step (none do today)
REGISTRY: dict[str, type] = {}


_defect = defect_switch.registrar(REGISTRY)


@_defect(OFFER_INACTIVE)
class OfferInactive(TcPolicy):
    def offered_aanleverpunten(self, rows):
        return rows


@_defect(ACCEPT_INACTIVE_DOEL)
class AcceptInactiveDoel(TcPolicy):
    def check_doel_actief(self, ap, routeringskenmerk):
        return None


@_defect(CONTROLE_NA_AFMELDING)
class ControleNaAfmelding(TcPolicy):
    def session_check_signed_off_ok(self):
        return True


@_defect(CONTROLE_NEGEERT_AFWIJKING)
class ControleNegeertAfwijking(TcPolicy):
    def session_check(self, sessie_id, afwijkend):
        return None


@_defect(TERUGKOPPELING_VOOR_OPHALEN)
class TerugkoppelingVoorOphalen(TcPolicy):
    def accept_terugkoppeling(self, k):
        return None


@_defect(TERUGKOPPELING_ONBEKEND)
class TerugkoppelingOnbekend(TcPolicy):
    def unknown_koppelsleutel_terugkoppeling(self, koppelsleutel, las_ap):
        return las_ap["url"] if las_ap else ""


@_defect(TERUGKOPPELING_ELK_SWV)
class TerugkoppelingElkSwv(TcPolicy):
    def terugkoppeling_afwijkend(self, afwijkend):
        return [a for a in super().terugkoppeling_afwijkend(afwijkend) if not a.startswith("doel")]


DEFECTS = frozenset(REGISTRY)


def check(defects) -> frozenset[str]:
    return defect_switch.check(defects, DEFECTS, "de TC")


def policy(defects=()) -> TcPolicy:
    """The TC's policy with the steps of every defect in `defects` replaced."""
    return defect_switch.compose(TcPolicy, REGISTRY, check(defects))
