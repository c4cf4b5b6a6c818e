Feature: Een zorgvraag verwijderen
  Een verwijderde zorgvraag verdwijnt uit het overzicht van de leerling en is niet meer op te halen.

  @las @mandatory
  Scenario: Een verwijderde zorgvraag verdwijnt uit het overzicht en is niet meer op te halen
    Given the SWV fetches dossiers only on request
    And a zorgvraag sent for a PO leerling
    And the harness holds a session for the zorgvraag
    When the school deletes the zorgvraag
    Then the LAS no longer shows the zorgvraag
    When the harness requests the dossier at the LAS with that session
    Then the LAS refuses the documentRequest with LeerlinginfoNietBeschikbaar
    And no dossier was delivered
