# language: nl
@PaO.LL12
Functionaliteit: Geen PGN in het aanvraag SWV-dossier
  Het aanvraag SWV-dossier draagt geen persoonsgebonden nummer: geen BSN en geen onderwijsnummer,
  ook niet als de LAS het nummer van de leerling kent.

  @las @mandatory
  Abstract Scenario: Het dossier bevat geen PGN van een leerling <soort>
    Gegeven een leerling <soort> in de LAS
    Als de school een zorgvraag met toelichting en alle gegevensblokken verzendt
    Dan is de zorgvraag verzonden
    En heeft het SWV het dossier opgehaald
    En bevat het dossier geen BSN en geen onderwijsnummer
    En draagt geen enkel bericht van de uitwisseling een PGN

    Voorbeelden:
      | soort                   |
      | met een BSN             |
      | met een onderwijsnummer |

  @swv @mandatory
  Scenario: Het SWV keurt een dossier met een BSN af
    Gegeven de harnas speelt de LAS met een dossier met een BSN
    Als de harnas het SWV een notificatie stuurt voor de zorgvraag
    Dan heeft het SWV het dossier opgehaald
    En meldt het SWV de sessie af met DossierOngeldig
    En bewaart het SWV geen dossier
    Als de harnas hetzelfde dossier zonder BSN aanbiedt voor een nieuwe zorgvraag
    Dan heeft het SWV het dossier opgehaald
    En heeft het SWV de sessie afgemeld met OverdrachtGeslaagd
