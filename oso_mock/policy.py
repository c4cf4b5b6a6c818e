"""The Traffic Center's rules at the points where a deliberate defect (oso_mock/defects.py) may
bend one. `TcPolicy` is the TC as it should be; a defect subclasses it and replaces one step, and
the workflow modules only ever ask `tc.policy`."""
from __future__ import annotations

from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault


class TcPolicy:
    # --- overzichtAanleverpunt -----------------------------------------------------------------

    def offered_aanleverpunten(self, rows: list[dict]) -> list[dict]:
        """The aanleverpunten overzichtAanleverpunt lists: the active ones."""
        return [ap for ap in rows if ap["actief"]]

    # --- meldenNotificatie ---------------------------------------------------------------------

    def check_doel_actief(self, ap: dict, routeringskenmerk: str) -> None:
        """A koppelsleutel is issued only towards an active SWV aanleverpunt."""
        if not ap["actief"]:
            raise OsoFault(faults.AANLEVERPUNT_INACTIEF,
                           f"Aanleverpunt {routeringskenmerk} is niet actief.")

    # --- sessiecontrole ------------------------------------------------------------------------

    def session_check_signed_off_ok(self) -> bool:
        """Whether sessiecontrole passes a session that was already signed off: it does not."""
        return False

    def session_check(self, sessie_id: str, afwijkend: list[str]) -> None:
        """sessiecontrole: the data of the request must be those of the session."""
        if afwijkend:
            raise OsoFault(faults.SESSIE_AFWIJKEND,
                           f"Gegevens wijken af van de sessie: {', '.join(afwijkend)}.")

    # --- meldenTerugkoppeling ------------------------------------------------------------------

    def unknown_koppelsleutel_terugkoppeling(self, koppelsleutel: str, las_ap: dict | None) -> str:
        """The url for a terugkoppeling on a key the TC never issued (`las_ap`: the bron
        aanleverpunt the request names): none, it is refused."""
        raise OsoFault(faults.KOPPELSLEUTEL_ONBEKEND,
                       f"Koppelsleutel {koppelsleutel} is niet uitgegeven door het TC.")

    def terugkoppeling_afwijkend(self, afwijkend: list[str]) -> list[str]:
        """The fields of a meldenTerugkoppeling that do not match the koppeling and count."""
        return afwijkend

    def accept_terugkoppeling(self, k: dict) -> None:
        """A terugkoppeling only once the dossier was fetched (signed off OverdrachtGeslaagd)."""
        if not k["opgehaald"]:
            raise OsoFault(faults.DOSSIER_NIET_OPGEHAALD,
                           f"Het dossier bij koppelsleutel {k['koppelsleutel']} is nog niet"
                           " (met succes) opgehaald.")
