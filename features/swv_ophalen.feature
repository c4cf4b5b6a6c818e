# language: nl
Functionaliteit: Het SWV haalt een dossier op zoals OSO het voorschrijft
  De harnas speelt de LAS en de TC; het SWV onder test krijgt een notificatie en haalt het dossier
  op: één sessie bij de TC, één documentRequest bij de LAS, één afmelding. Een dossier van elke
  vorm die de standaard toestaat komt aan, tot de grootte die een bericht mag hebben.

  @swv @mandatory
  Scenario: Het SWV haalt elk dossier één keer op, in de volgorde van OSO
    Gegeven de harnas speelt de LAS met een geldig dossier
    Als de harnas het SWV een notificatie stuurt voor de zorgvraag
    Dan heeft het SWV de sessie afgemeld met OverdrachtGeslaagd
    En ging elk bericht van het ophalen precies één keer, in de volgorde notificatie, overdracht, documentRequest, afmelding

  @swv @mandatory
  Abstract Scenario: Het SWV neemt <dossier> aan
    Gegeven de harnas speelt de LAS met <dossier>
    Als de harnas het SWV een notificatie stuurt voor de zorgvraag
    Dan heeft het SWV het dossier opgehaald
    En heeft het SWV de sessie afgemeld met OverdrachtGeslaagd
    En bewaart het SWV het dossier

    Voorbeelden:
      | dossier                                |
      | een dossier met alle gegevensblokken   |
      | een dossier van een VO-school          |
      | een dossier met bijlagen tot de limiet |

  @swv @mandatory
  Scenario: Dezelfde notificatie twee keer geeft één aanvraag en één keer ophalen
    Gegeven de harnas speelt de LAS met een geldig dossier
    Als de harnas het SWV een notificatie stuurt voor de zorgvraag
    En de harnas het SWV dezelfde notificatie nog een keer stuurt
    Dan heeft het SWV de sessie afgemeld met OverdrachtGeslaagd
    En heeft het SWV het dossier precies één keer opgehaald
