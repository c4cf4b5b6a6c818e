# language: nl
Functionaliteit: Het SWV volgt het antwoord van de LAS
  Een LAS kan weigeren te leveren, of iets leveren dat geen geldig aanvraag SWV-dossier is. Het SWV
  meldt de sessie dan af met het resultaat dat erbij hoort, nooit met OverdrachtGeslaagd, en
  bewaart niets: ook geen dossier met een BSN.

  @swv @mandatory
  Abstract Scenario: De LAS weigert met <resultaat>
    Gegeven de harnas speelt de LAS met de weigering <resultaat>
    Als de harnas het SWV een notificatie stuurt voor de zorgvraag
    Dan heeft het SWV de sessie afgemeld met <resultaat>
    En heeft het SWV nooit afgemeld met OverdrachtGeslaagd
    En bewaart het SWV geen dossier

    Voorbeelden:
      | resultaat                   |
      | LeerlinginfoNietBeschikbaar |
      | LeerlinginfoNietOpvraagbaar |
      | LeveringGeweigerd           |

  @swv @mandatory
  Abstract Scenario: Het SWV keurt <inhoud> af
    Gegeven de harnas speelt de LAS met <inhoud>
    Als de harnas het SWV een notificatie stuurt voor de zorgvraag
    Dan heeft het SWV de sessie afgemeld met DossierOngeldig
    En heeft het SWV nooit afgemeld met OverdrachtGeslaagd
    En bewaart het SWV geen dossier

    Voorbeelden:
      | inhoud                                      |
      | bytes die geen XML zijn                     |
      | een dossier in een andere namespace         |
      | een dossier dat niet aan het schema voldoet |
      | een dossier van een oudere OSO-versie       |
