# language: nl
Functionaliteit: Een volledige uitwisseling
  Van zorgvraag tot terugkoppeling, over HTTP tussen de drie rollen.

  @las @swv @tc @mandatory
  Scenario: Zorgvraag, ophalen en terugkoppeling
    Gegeven een zorgvraag verzonden voor een PO-leerling en opgehaald door het SWV
    Als het SWV een terugkoppeling stuurt met status "Ontvangen" en toelichting "De aanvraag is ontvangen."
    Dan is de terugkoppeling afgeleverd
    En bestond de uitwisseling uit de berichten overzichtAanleverpunt, meldenNotificatie, notificatie, overdracht, document, sessiecontrole, afmelding, meldenTerugkoppeling, terugkoppeling
