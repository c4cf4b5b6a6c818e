Feature: Een zorgvraag verwijderen
  Een verwijderde zorgvraag verdwijnt uit het overzicht van de leerling en is niet meer op te halen.

  @las @mandatory
  Scenario: Een verwijderde zorgvraag verdwijnt uit het overzicht en is niet meer op te halen
    Given the SWV fetches dossiers only on request
    And a zorgvraag sent for a PO leerling
    When the school deletes the zorgvraag
    Then the zorgvraag is not in the overview of the leerling
    When the SWV fetches the dossier
    Then the LAS refused the documentRequest with LeerlinginfoNietBeschikbaar
