# language: nl
Functionaliteit: Terugkoppeling van het SWV naar de school
  Het SWV meldt een terugkoppeling bij de TC en stuurt die rechtstreeks naar de LAS, die hem
  volledig bij de zorgvraag toont. De TC weigert een terugkoppeling die niet bij een opgehaald
  dossier van dat SWV hoort.

  @las @swv @mandatory
  Scenario: De terugkoppeling bereikt de LAS
    Gegeven een zorgvraag verzonden voor een PO-leerling en opgehaald door het SWV
    Als het SWV een terugkoppeling stuurt met status "InBehandeling" en toelichting "Besproken in het ondersteuningsteam."
    Dan is de terugkoppeling afgeleverd
    En toont de LAS "Terugkoppeling ontvangen: Ja"
    En toont de LAS de terugkoppeling volledig

  @swv @mandatory
  Scenario: Het SWV meldt de terugkoppeling bij de TC voordat het die naar de LAS stuurt
    Gegeven een zorgvraag verzonden voor een PO-leerling en opgehaald door het SWV
    Als het SWV een terugkoppeling stuurt met status "Ontvangen" en toelichting "Aanvraag in behandeling genomen."
    Dan is de terugkoppeling afgeleverd
    En meldde het SWV de terugkoppeling bij de TC voordat het die naar de LAS stuurde

  @tc @mandatory
  Scenario: Een terugkoppeling voordat het dossier is opgehaald wordt geweigerd
    Gegeven het SWV haalt dossiers alleen op verzoek op
    En een zorgvraag verzonden voor een PO-leerling
    Als de harnas bij de TC een terugkoppeling meldt als het genotificeerde SWV
    Dan weigert de TC met DossierNietOpgehaald

  @tc @mandatory
  Scenario: Een terugkoppeling met een onbekende koppelsleutel wordt geweigerd
    Als de harnas bij de TC een terugkoppeling meldt voor een onbekende koppelsleutel
    Dan weigert de TC met KoppelsleutelOnbekend

  @tc @mandatory
  Scenario: Een terugkoppeling van een SWV dat de notificatie niet ontving wordt geweigerd
    Gegeven een zorgvraag verzonden voor een PO-leerling en opgehaald door het SWV
    Als de harnas bij de TC een terugkoppeling meldt als een ander SWV-aanleverpunt
    Dan weigert de TC de meldenTerugkoppeling

  @las @mandatory
  Scenario: De LAS weigert een terugkoppeling met een onbekende koppelsleutel
    Gegeven een zorgvraag verzonden voor een PO-leerling en opgehaald door het SWV
    Als de harnas een terugkoppeling naar de LAS stuurt voor een onbekende koppelsleutel
    Dan weigert de LAS de terugkoppeling met KoppelsleutelOnbekend
    Als de harnas dezelfde terugkoppeling naar de LAS stuurt voor de koppelsleutel van de zorgvraag
    Dan neemt de LAS de terugkoppeling aan

  @las @mandatory
  Scenario: De LAS weigert een terugkoppeling voordat het dossier is opgehaald
    Gegeven het SWV haalt dossiers alleen op verzoek op
    En een zorgvraag verzonden voor een PO-leerling
    Als de harnas een terugkoppeling naar de LAS stuurt voor de zorgvraag voordat het dossier is opgehaald
    Dan weigert de LAS de terugkoppeling met DossierNietOpgehaald
    Als de harnas het dossier bij de LAS opvraagt met een eigen sessie
    Dan levert de LAS het dossier
    Als de harnas de sessie afmeldt
    En de harnas dezelfde terugkoppeling naar de LAS stuurt voor de koppelsleutel van de zorgvraag
    Dan neemt de LAS de terugkoppeling aan

  @las @swv @optional @kenmerk.terugkoppeling_met_document
  Scenario: Een terugkoppeling met een document
    Gegeven een zorgvraag verzonden voor een PO-leerling en opgehaald door het SWV
    Als het SWV een terugkoppeling stuurt met status "Toegekend" en een document
    Dan is de terugkoppeling afgeleverd
    En toont de LAS de terugkoppeling volledig
