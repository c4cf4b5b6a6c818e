Feature: Elk dossier dat de LAS levert is geldig
  Ieder aanvraag SWV-dossier dat de LAS uitlevert, doorstaat de volledige validatie: XSD, de
  regels van de standaard en de projectregels.

  @las @mandatory
  Scenario Outline: Een <sector>-dossier met <blokken> gegevensblokken is geldig
    Given a <sector> leerling in the LAS
    When the school sends a zorgvraag with toelichting and <blokken> gegevensblokken
    Then the zorgvraag is sent
    And the SWV has fetched the dossier
    And the dossier passes the full validator

    Examples:
      | sector | blokken               |
      | PO     | all                   |
      | PO     | only the verplichte   |
      | VO     | all                   |
      | VO     | only the verplichte   |

  @las @optional @OSS.ATT01
  Scenario: Extra bijlagen komen aan in de bijlagedocumenten
    Given a PO leerling in the LAS
    When the school sends a zorgvraag with toelichting and 2 bijlagen
    Then the zorgvraag is sent
    And the SWV has fetched the dossier
    And category cat_bijlagedocs is declared OPTIONEEL
    And the dossier carries the 2 bijlagen by name and content
    And the dossier passes the full validator
