# language: nl
Functionaliteit: Het SWV neemt alleen notificaties aan die de TC uitgaf voor dit SWV
  Een notificatie noemt een koppelsleutel. Het SWV neemt haar alleen aan als de TC die sleutel
  uitgaf voor deze school en dit aanleverpunt, en (met wederzijdse TLS) alleen van het systeem van
  de school; het haalt bij een LAS alleen op als die zich met een geldig certificaat van de PKI
  meldt. Zo gaat geen sessieId naar een bedrieger.

  @swv @mandatory
  Scenario: Het SWV weigert een koppelsleutel die de TC uitgaf voor een ander SWV-aanleverpunt
    Gegeven de harnas speelt de LAS met een geldig dossier
    Als de harnas het SWV een notificatie stuurt met een koppelsleutel die de TC uitgaf voor een ander SWV-aanleverpunt
    Dan weigert het SWV de notificatie
    En heeft daarvoor geen documentRequest de LAS bereikt
    Als de harnas het SWV een notificatie stuurt voor de zorgvraag
    Dan heeft het SWV de sessie afgemeld met OverdrachtGeslaagd

  @swv @mandatory @tls
  Scenario: Het SWV neemt een notificatie alleen aan van het systeem van de school
    Gegeven de harnas speelt de LAS met een geldig dossier
    Als de harnas het SWV de notificatie stuurt met het certificaat van een ander systeem
    Dan weigert het SWV de notificatie
    En heeft daarvoor geen documentRequest de LAS bereikt
    Als de harnas het SWV dezelfde notificatie stuurt met het certificaat van de school
    Dan heeft het SWV de sessie afgemeld met OverdrachtGeslaagd

  @swv @mandatory @tls
  Abstract Scenario: Het SWV haalt niet op bij een LAS met <servercertificaat>
    Gegeven de harnas speelt de LAS met een geldig dossier achter <servercertificaat>
    Als de harnas het SWV een notificatie stuurt voor de zorgvraag
    Dan vraagt het SWV een sessie aan bij de TC
    Maar bereikt geen sessieId de LAS

    Voorbeelden:
      | servercertificaat                    |
      | een verlopen servercertificaat       |
      | een servercertificaat van een onbekende CA |
