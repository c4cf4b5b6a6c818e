# language: nl
Functionaliteit: Het SWV verliest niets bij een storing
  Een sessie kan verlopen voordat het SWV ophaalt, de TC of de LAS kan even niet bereikbaar zijn.
  Het SWV vraagt dan een nieuwe sessie aan of probeert het later opnieuw, en haalt het dossier
  precies één keer op.

  @swv @mandatory
  Scenario: Na een verlopen sessie vraagt het SWV een nieuwe sessie aan
    Gegeven de harnas speelt de LAS met een sessie die verlopen blijkt
    Als de harnas het SWV een notificatie stuurt voor de zorgvraag
    Dan heeft het SWV het dossier opgehaald met een nieuwe sessie
    En heeft het SWV de sessie waarmee het ophaalde afgemeld met OverdrachtGeslaagd

  @swv @mandatory
  Scenario: Is de TC even niet bereikbaar, dan vraagt het SWV later opnieuw een sessie aan
    Gegeven de harnas speelt de LAS met een geldig dossier
    En de TC beantwoordt de eerste overdracht niet
    Als de harnas het SWV een notificatie stuurt voor de zorgvraag
    Dan heeft het SWV het dossier opgehaald
    En heeft het SWV de sessie afgemeld met OverdrachtGeslaagd
    En heeft het SWV het dossier precies één keer opgehaald

  @swv @mandatory
  Scenario: Is de LAS even niet bereikbaar, dan haalt het SWV later één keer op
    Gegeven de harnas speelt de LAS met een storing bij de eerste aanvraag
    Als de harnas het SWV een notificatie stuurt voor de zorgvraag
    Dan heeft het SWV het dossier opgehaald
    En heeft het SWV de sessie waarmee het ophaalde afgemeld met OverdrachtGeslaagd
    En heeft het SWV het dossier precies één keer opgehaald
