Feature: Sessies bij het ophalen van het dossier
  Het SWV haalt een dossier op met een sessie van de TC; de LAS controleert die sessie bij de TC
  voordat zij iets anders doet, en levert alleen bij een geldige sessie voor precies dit dossier.

  @swv @mandatory
  Scenario: Het SWV haalt het dossier op met een sessie en meldt de sessie af
    Given a zorgvraag sent for a PO leerling
    Then the SWV requested a session at the TC with overdrachtsoort SWVaanvraag
    And the SWV fetched the dossier from the LAS within that session
    And the SWV signed the session off with OverdrachtGeslaagd

  @las @mandatory
  Scenario: Een documentRequest zonder geldige sessie wordt geweigerd
    Given the SWV fetches dossiers only on request
    And a zorgvraag sent for a PO leerling
    When the harness requests the dossier at the LAS with an unknown sessieId
    Then the LAS refuses the documentRequest with SessieOnbekend
    And the LAS checked the session at the TC
    And no dossier was delivered
    When the harness requests the dossier at the LAS with a session of its own
    Then the LAS delivers the dossier

  @las @tc @mandatory
  Scenario: Een sessie voor een andere koppelsleutel wordt geweigerd
    Given the SWV fetches dossiers only on request
    And two zorgvragen sent for PO leerlingen
    When the harness requests the second dossier at the LAS with the session of the first
    Then the LAS refuses the documentRequest with SessieAfwijkend
    And no dossier was delivered

  @las @tc @mandatory
  Scenario: Na afmelding levert de LAS niet meer
    Given the SWV fetches dossiers only on request
    And a zorgvraag sent for a PO leerling
    And the harness holds a session for the zorgvraag
    When the harness signs the session off
    And the harness requests the dossier at the LAS with that session
    Then the LAS refuses the documentRequest with SessieReedsAfgemeld

  @tc @mandatory
  Scenario: sessiecontrole na afmelding geeft SessieReedsAfgemeld
    Given the SWV fetches dossiers only on request
    And a zorgvraag sent for a PO leerling
    And the harness holds a session for the zorgvraag
    When the harness signs the session off
    And the harness checks the session at the TC
    Then the TC refuses with SessieReedsAfgemeld

  @tc @mandatory
  Scenario: sessiecontrole met afwijkende gegevens geeft SessieAfwijkend
    Given the SWV fetches dossiers only on request
    And a zorgvraag sent for a PO leerling
    And the harness holds a session for the zorgvraag
    When the harness checks the session at the TC with another bronBrin
    Then the TC refuses with SessieAfwijkend

  @las @mandatory
  Scenario: De LAS levert niet als de sessiecontrole niet lukt
    Given the SWV fetches dossiers only on request
    And a zorgvraag sent for a PO leerling
    And the harness holds a session for the zorgvraag
    When the TC's sessiecontrole is out of order
    And the harness requests the dossier at the LAS with that session
    Then the LAS refuses the documentRequest
    And no dossier was delivered
    When the TC's sessiecontrole works again
    And the harness requests the dossier at the LAS with that session
    Then the LAS delivers the dossier
