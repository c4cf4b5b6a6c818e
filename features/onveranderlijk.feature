Feature: Een verzonden zorgvraag is onveranderlijk
  Na "Opslaan en verzenden" ligt het dossier vast: wijzigen kan niet meer, het SWV haalt de
  momentopname van het verzendmoment op, en wie iets wil aanpassen maakt een nieuwe zorgvraag.

  @las @mandatory
  Scenario Outline: Elke wijziging van een verzonden zorgvraag wordt geweigerd (<veld>)
    Given a zorgvraag sent for a PO leerling
    When the school changes the <veld> of the zorgvraag
    Then the LAS refuses the change

    Examples:
      | veld            |
      | omschrijving    |
      | aandachtspunten |
      | aanleverpunt    |
      | gegevensblokken |
      | toelichting     |

  @las @mandatory
  Scenario: Het SWV haalt de momentopname van het verzendmoment op
    Given the SWV fetches dossiers only on request
    And a zorgvraag sent for a PO leerling
    And the harness fetched the dossier with a session and signed it off without OverdrachtGeslaagd
    When the achternaam of the leerling is changed to "Gewijzigdnaam" in the LAS
    And the harness fetches the dossier again with a new session
    Then the second dossier equals the first
    And the dossier does not contain "Gewijzigdnaam"

  @las @mandatory
  Scenario: Een nieuwe zorgvraag neemt de gewijzigde gegevens mee
    Given a zorgvraag sent for a PO leerling
    When the achternaam of the leerling is changed to "Gewijzigdnaam" in the LAS
    And the school sends a new zorgvraag with toelichting
    Then the zorgvraag is sent with a new koppelsleutel
    And the SWV has fetched the dossier
    And the dossier contains "Gewijzigdnaam"
