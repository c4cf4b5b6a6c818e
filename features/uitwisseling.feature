# language: nl
Functionaliteit: Een volledige uitwisseling
  Van zorgvraag tot terugkoppeling, over HTTP tussen de drie rollen.

  @las @swv @tc @mandatory
  Scenario: Zorgvraag, ophalen en terugkoppeling
    Gegeven een zorgvraag verzonden voor een PO-leerling en opgehaald door het SWV
    Als het SWV een terugkoppeling stuurt met status "Ontvangen" en toelichting "De aanvraag is ontvangen."
    Dan is de terugkoppeling afgeleverd
    En bestond de uitwisseling uit de berichten overzichtAanleverpunt, meldenNotificatie, notificatie, overdracht, document, sessiecontrole, afmelding, meldenTerugkoppeling, terugkoppeling

  @las @mandatory
  Scenario: De LAS stuurt elk bericht van een zorgvraag precies één keer
    Gegeven een zorgvraag verzonden voor een PO-leerling en opgehaald door het SWV
    Dan heeft de LAS voor de zorgvraag precies één meldenNotificatie en één notificatie gestuurd
    En heeft de LAS voor elk documentRequest precies één sessiecontrole gedaan

  @las @mandatory
  Scenario: De notificatie noemt de koppelsleutel die de TC uitgaf
    Gegeven een PO-leerling in de LAS
    Als de school een zorgvraag met toelichting verzendt
    Dan noemt de notificatie aan het SWV de koppelsleutel die de TC voor de zorgvraag uitgaf

  @las @mandatory
  Abstract Scenario: De LAS noemt de school van de leerling als bron (<sector>)
    Gegeven een <sector>-leerling in de LAS
    Als de school een zorgvraag met toelichting verzendt
    Dan noemen meldenNotificatie en notificatie de school van de leerling en haar LAS-aanleverpunt als bron

    Voorbeelden:
      | sector |
      | PO     |
      | VO     |
