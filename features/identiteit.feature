Feature: Identiteit: alleen het systeem met het mandaat krijgt leerlinggegevens
  Zoals bij OSO kent elk systeem de beller aan het certificaat (wederzijdse TLS, het OIN in het
  serialNumber). De LAS levert een dossier alleen aan het systeem van het doel-aanleverpunt van de
  sessie en neemt een terugkoppeling alleen van dat systeem aan; het SWV neemt alleen
  notificaties aan voor koppelsleutels die de TC uitgaf.

  @las @mandatory @tls
  Scenario Outline: De LAS levert het dossier alleen aan het systeem van de sessie (<certificaat>)
    Given the SWV fetches dossiers only on request
    And a zorgvraag sent for a PO leerling
    And the harness holds a session for the zorgvraag
    When the harness requests the dossier at the LAS with that session and <certificaat>
    Then the LAS does not deliver the dossier
    When the harness requests the dossier at the LAS with that session
    Then the LAS delivers the dossier

    Examples:
      | certificaat                               |
      | the certificate of another system         |
      | a certificate with an OIN of no system    |
      | no certificate                            |
      | an expired certificate                    |
      | a certificate of an unknown CA            |

  @las @mandatory @tls
  Scenario: De LAS neemt een terugkoppeling alleen aan van het systeem van het doel
    Given a zorgvraag sent for a PO leerling and fetched by the SWV
    When the harness sends the terugkoppeling to the LAS for the koppelsleutel of the zorgvraag with the certificate of another system
    Then the LAS does not accept the terugkoppeling
    When the harness sends the same terugkoppeling to the LAS for the koppelsleutel of the zorgvraag
    Then the LAS accepts the terugkoppeling

  @swv @mandatory
  Scenario: Het SWV weigert een notificatie met een koppelsleutel die de TC niet uitgaf
    Given the harness plays the LAS with a valid dossier
    When the harness notifies the SWV of a koppelsleutel the TC did not issue
    Then the SWV refuses the notificatie
    And no documentRequest for it reached the LAS
    When the harness notifies the SWV of the zorgvraag
    Then the SWV has fetched the dossier
    And the SWV signed the session off with OverdrachtGeslaagd
