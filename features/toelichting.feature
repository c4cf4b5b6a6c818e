@OSS.ZV01
Feature: Toelichting onderwijsbehoeften is verplicht
  Een zorgvraag gaat alleen met een "Toelichting onderwijsbehoeften" naar het samenwerkingsverband.
  Zonder die bijlage kan de school niet verzenden en bereikt niets de TC of het SWV.

  @las @mandatory
  Scenario: Zonder toelichting kan een zorgvraag niet worden verzonden
    Given a PO leerling in the LAS
    When the school sends a zorgvraag without toelichting
    Then the LAS refuses the zorgvraag
    And no meldenNotificatie reached the TC
    And no notificatie reached the SWV
    When the school sends the same zorgvraag with toelichting
    Then the zorgvraag is sent

  @las @swv @mandatory
  Scenario: Met toelichting ontvangt het SWV de toelichting in het dossier
    Given a PO leerling in the LAS
    When the school sends a zorgvraag with toelichting
    Then the zorgvraag is sent
    And the SWV has fetched the dossier
    And the dossier contains onderwijsondersteuning/toelichting_onderwijsbehoeften
