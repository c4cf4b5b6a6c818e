Feature: Terugkoppeling van het SWV naar de school
  Het SWV meldt een terugkoppeling bij de TC en stuurt die rechtstreeks naar de LAS, die hem
  volledig bij de zorgvraag toont. De TC weigert een terugkoppeling die niet bij een opgehaald
  dossier van dat SWV hoort.

  @las @swv @mandatory
  Scenario: De terugkoppeling bereikt de LAS
    Given a zorgvraag sent for a PO leerling and fetched by the SWV
    When the SWV sends a terugkoppeling with status "InBehandeling" and toelichting "Besproken in het ondersteuningsteam."
    Then the terugkoppeling is delivered
    And the LAS shows "Terugkoppeling ontvangen: Ja"
    And the LAS shows the terugkoppeling in full

  @tc @mandatory
  Scenario: Een terugkoppeling voordat het dossier is opgehaald wordt geweigerd
    Given the SWV fetches dossiers only on request
    And a zorgvraag sent for a PO leerling
    When the harness melds a terugkoppeling at the TC as the notified SWV
    Then the TC refuses with DossierNietOpgehaald

  @tc @mandatory
  Scenario: Een terugkoppeling met een onbekende koppelsleutel wordt geweigerd
    When the harness melds a terugkoppeling at the TC for an unknown koppelsleutel
    Then the TC refuses with KoppelsleutelOnbekend

  @tc @mandatory
  Scenario: Een terugkoppeling van een SWV dat de notificatie niet ontving wordt geweigerd
    Given a zorgvraag sent for a PO leerling and fetched by the SWV
    When the harness melds a terugkoppeling at the TC as another SWV aanleverpunt
    Then the TC refuses the meldenTerugkoppeling

  @las @mandatory
  Scenario: De LAS weigert een terugkoppeling met een onbekende koppelsleutel
    Given a zorgvraag sent for a PO leerling and fetched by the SWV
    When the harness sends a terugkoppeling to the LAS for an unknown koppelsleutel
    Then the LAS refuses the terugkoppeling with KoppelsleutelOnbekend
    When the harness sends the same terugkoppeling to the LAS for the koppelsleutel of the zorgvraag
    Then the LAS accepts the terugkoppeling

  @las @swv @optional
  Scenario: Een terugkoppeling met een document
    Given a zorgvraag sent for a PO leerling and fetched by the SWV
    When the SWV sends a terugkoppeling with status "Toegekend" and a document
    Then the terugkoppeling is delivered
    And the LAS shows the terugkoppeling in full
