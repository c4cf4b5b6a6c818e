# language: nl
Functionaliteit: Mandaten en aanleverpunten
  De school kiest alleen uit actieve SWV-aanleverpunten, en verzenden lukt alleen als zowel het
  LAS als het SWV-systeem een mandaat van de school heeft.

  @tc @mandatory
  Scenario: De TC biedt alleen actieve SWV-aanleverpunten aan
    Als de harnas de TC vraagt om de aanleverpunten van school "12AB"
    Dan wordt aanleverpunt "0000000700025PO00931" aangeboden
    En wordt aanleverpunt "0000000700025PO00939" niet aangeboden

  @las @mandatory
  Scenario: De LAS biedt alleen actieve SWV-aanleverpunten aan
    Als de school de aanleverpuntselectie voor school "12AB" opent
    Dan wordt aanleverpunt "0000000700025PO00931" aangeboden
    En wordt aanleverpunt "0000000700025PO00939" niet aangeboden

  @las @tc @mandatory
  Scenario: Een school waarvan het SWV-systeem geen mandaat heeft kan niet verzenden
    Gegeven een PO-leerling in de LAS
    En het SWV-systeem heeft geen mandaat voor de school van de leerling
    Als de school een zorgvraag met toelichting verzendt
    Dan weigert de LAS de zorgvraag
    En heeft de TC geen koppelsleutel uitgegeven
    En heeft geen notificatie het SWV bereikt
    Als het mandaat hersteld is en de school dezelfde zorgvraag opnieuw verzendt
    Dan is de zorgvraag verzonden

  @las @tc @mandatory
  Scenario: Een school waarvan het LAS geen mandaat heeft kan niet verzenden
    Gegeven een PO-leerling in de LAS
    En het LAS-systeem heeft geen mandaat voor de school van de leerling
    Als de school een zorgvraag met toelichting verzendt
    Dan weigert de LAS de zorgvraag
    En heeft de TC geen koppelsleutel uitgegeven
    En heeft geen notificatie het SWV bereikt
    Als het mandaat hersteld is en de school dezelfde zorgvraag opnieuw verzendt
    Dan is de zorgvraag verzonden

  @tc @mandatory
  Scenario: meldenNotificatie naar een inactief aanleverpunt wordt geweigerd
    Als de harnas bij de TC een notificatie meldt voor aanleverpunt "0000000700025PO00939"
    Dan weigert de TC met AanleverpuntInactief
