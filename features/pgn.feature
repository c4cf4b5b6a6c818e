@PaO.LL12
Feature: Geen PGN in het aanvraag SWV-dossier
  Het aanvraag SWV-dossier draagt geen persoonsgebonden nummer: geen BSN en geen onderwijsnummer,
  ook niet als de LAS het nummer van de leerling kent.

  @las @mandatory
  Scenario Outline: Het dossier bevat geen PGN van een leerling <soort>
    Given a leerling <soort> in the LAS
    When the school sends a zorgvraag with toelichting and all gegevensblokken
    Then the zorgvraag is sent
    And the SWV has fetched the dossier
    And the dossier contains no bsn and no onderwijsnummer
    And no message of the exchange carries a PGN

    Examples:
      | soort                |
      | met een BSN          |
      | met een onderwijsnummer |

  @swv @mandatory
  Scenario: Het SWV keurt een dossier met een BSN af
    Given the harness plays the LAS with a dossier that contains a bsn
    When the harness notifies the SWV of the zorgvraag
    Then the SWV has fetched the dossier
    And the SWV signs the session off with DossierOngeldig
    When the harness serves the same dossier without the bsn for a new zorgvraag
    Then the SWV has fetched the dossier
    And the SWV signed the session off with OverdrachtGeslaagd
