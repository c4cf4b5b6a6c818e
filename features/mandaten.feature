Feature: Mandaten en aanleverpunten
  De school kiest alleen uit actieve SWV-aanleverpunten, en verzenden lukt alleen als zowel het
  LAS als het SWV-systeem een mandaat van de school heeft.

  @tc @mandatory
  Scenario: De TC biedt alleen actieve SWV-aanleverpunten aan
    When the harness asks the TC for the aanleverpunten of school "12AB"
    Then aanleverpunt "0000000700025PO00931" is offered
    And aanleverpunt "0000000700025PO00939" is not offered

  @las @mandatory
  Scenario: De LAS biedt alleen actieve SWV-aanleverpunten aan
    When the school opens the aanleverpuntselectie for school "12AB"
    Then aanleverpunt "0000000700025PO00931" is offered
    And aanleverpunt "0000000700025PO00939" is not offered

  @las @tc @mandatory
  Scenario: Een school waarvan het SWV-systeem geen mandaat heeft kan niet verzenden
    Given a PO leerling in the LAS
    And the SWV system has no mandate for the school of the leerling
    When the school sends a zorgvraag with toelichting
    Then the LAS refuses the zorgvraag
    And the TC issued no koppelsleutel
    And no notificatie reached the SWV
    When the mandate is restored and the school sends the same zorgvraag again
    Then the zorgvraag is sent

  @las @tc @mandatory
  Scenario: Een school waarvan het LAS geen mandaat heeft kan niet verzenden
    Given a PO leerling in the LAS
    And the LAS system has no mandate for the school of the leerling
    When the school sends a zorgvraag with toelichting
    Then the LAS refuses the zorgvraag
    And the TC issued no koppelsleutel
    And no notificatie reached the SWV
    When the mandate is restored and the school sends the same zorgvraag again
    Then the zorgvraag is sent

  @tc @mandatory
  Scenario: meldenNotificatie naar een inactief aanleverpunt wordt geweigerd
    When the harness melds a notificatie at the TC for aanleverpunt "0000000700025PO00939"
    Then the TC refuses with AanleverpuntInactief
