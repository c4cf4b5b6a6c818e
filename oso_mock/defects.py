"""Deliberate faults a conformance self-check can switch on to play a broken Traffic Center
(config DEFECTS). Each breaks one rule of the TC; with DEFECTS empty nothing here runs. The
catalogue with the scenarios meant to catch each one is harness/defects.py."""
from __future__ import annotations

from actor_kit import defect_switch

OFFER_INACTIVE = "offer_inactive"                    # overzichtAanleverpunt lists inactive ones too
ACCEPT_INACTIVE_DOEL = "accept_inactive_doel"        # meldenNotificatie to an inactive aanleverpunt
CONTROLE_NA_AFMELDING = "controle_na_afmelding"      # sessiecontrole: a signed-off session is valid
CONTROLE_NEGEERT_AFWIJKING = "controle_negeert_afwijking"  # sessiecontrole: data need not match
TERUGKOPPELING_VOOR_OPHALEN = "terugkoppeling_voor_ophalen"  # before the dossier was fetched
TERUGKOPPELING_ONBEKEND = "terugkoppeling_onbekende_koppelsleutel"  # for a key never issued
TERUGKOPPELING_ELK_SWV = "terugkoppeling_van_elk_swv"  # from an SWV aanleverpunt not notified

DEFECTS = frozenset({OFFER_INACTIVE, ACCEPT_INACTIVE_DOEL, CONTROLE_NA_AFMELDING,
                     CONTROLE_NEGEERT_AFWIJKING, TERUGKOPPELING_VOOR_OPHALEN,
                     TERUGKOPPELING_ONBEKEND, TERUGKOPPELING_ELK_SWV})


def check(defects) -> frozenset[str]:
    return defect_switch.check(defects, DEFECTS, "de TC")


def active(tc, name: str) -> bool:
    return defect_switch.active(tc.defects, DEFECTS, name)
