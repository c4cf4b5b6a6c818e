Feature: Een volledige uitwisseling
  Van zorgvraag tot terugkoppeling, over HTTP tussen de drie rollen.

  @las @swv @tc @mandatory
  Scenario: Zorgvraag, ophalen en terugkoppeling
    Given a zorgvraag sent for a PO leerling and fetched by the SWV
    When the SWV sends a terugkoppeling with status "Ontvangen" and toelichting "De aanvraag is ontvangen."
    Then the terugkoppeling is delivered
    And the exchange took the messages overzichtAanleverpunt, meldenNotificatie, notificatie, overdracht, document, sessiecontrole, afmelding, meldenTerugkoppeling, terugkoppeling
