# language: nl
Functionaliteit: Identiteit: alleen het systeem met het mandaat krijgt leerlinggegevens
  Zoals bij OSO kent elk systeem de beller aan het certificaat (wederzijdse TLS, het OIN in het
  serialNumber). De LAS levert een dossier alleen aan het systeem van het doel-aanleverpunt van de
  sessie en neemt een terugkoppeling alleen van dat systeem aan; het SWV neemt alleen
  notificaties aan voor koppelsleutels die de TC uitgaf.

  @las @mandatory @tls
  Abstract Scenario: De LAS levert het dossier alleen aan het systeem van de sessie (<certificaat>)
    Gegeven het SWV haalt dossiers alleen op verzoek op
    En een zorgvraag verzonden voor een PO-leerling
    En de harnas heeft een sessie voor de zorgvraag
    Als de harnas het dossier bij de LAS opvraagt met die sessie en <certificaat>
    Dan levert de LAS het dossier niet
    Als de harnas het dossier bij de LAS opvraagt met die sessie
    Dan levert de LAS het dossier

    Voorbeelden:
      | certificaat                                        |
      | het certificaat van een ander systeem              |
      | een certificaat met een OIN van geen enkel systeem |
      | geen certificaat                                   |
      | een verlopen certificaat                           |
      | een certificaat van een onbekende CA               |

  @las @mandatory @tls
  Scenario: De LAS neemt een terugkoppeling alleen aan van het systeem van het doel
    Gegeven een zorgvraag verzonden voor een PO-leerling en opgehaald door het SWV
    Als de harnas de terugkoppeling naar de LAS stuurt voor de koppelsleutel van de zorgvraag met het certificaat van een ander systeem
    Dan neemt de LAS de terugkoppeling niet aan
    Als de harnas dezelfde terugkoppeling naar de LAS stuurt voor de koppelsleutel van de zorgvraag
    Dan neemt de LAS de terugkoppeling aan

  @swv @mandatory
  Scenario: Het SWV weigert een notificatie met een koppelsleutel die de TC niet uitgaf
    Gegeven de harnas speelt de LAS met een geldig dossier
    Als de harnas het SWV een notificatie stuurt met een koppelsleutel die de TC niet uitgaf
    Dan weigert het SWV de notificatie
    En heeft daarvoor geen documentRequest de LAS bereikt
    Als de harnas het SWV een notificatie stuurt voor de zorgvraag
    Dan heeft het SWV het dossier opgehaald
    En heeft het SWV de sessie afgemeld met OverdrachtGeslaagd
