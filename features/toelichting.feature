# language: nl
@OSS.ZV01
Functionaliteit: Toelichting onderwijsbehoeften is verplicht
  Een zorgvraag gaat alleen met een "Toelichting onderwijsbehoeften" naar het samenwerkingsverband.
  Zonder die bijlage kan de school niet verzenden en bereikt niets de TC of het SWV.

  @las @mandatory
  Scenario: Zonder toelichting kan een zorgvraag niet worden verzonden
    Gegeven een PO-leerling in de LAS
    Als de school een zorgvraag zonder toelichting verzendt
    Dan weigert de LAS de zorgvraag
    En heeft geen meldenNotificatie de TC bereikt
    En heeft geen notificatie het SWV bereikt
    Als de school dezelfde zorgvraag met toelichting verzendt
    Dan is de zorgvraag verzonden

  @las @swv @mandatory
  Scenario: Met toelichting ontvangt het SWV de toelichting in het dossier
    Gegeven een PO-leerling in de LAS
    Als de school een zorgvraag met toelichting verzendt
    Dan is de zorgvraag verzonden
    En heeft het SWV het dossier opgehaald
    En bevat het dossier onderwijsondersteuning/toelichting_onderwijsbehoeften
