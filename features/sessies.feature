# language: nl
Functionaliteit: Sessies bij het ophalen van het dossier
  Het SWV haalt een dossier op met een sessie van de TC; de LAS controleert die sessie bij de TC
  voordat zij iets anders doet, en levert alleen bij een geldige sessie voor precies dit dossier.

  @swv @mandatory
  Scenario: Het SWV haalt het dossier op met een sessie en meldt de sessie af
    Gegeven een zorgvraag verzonden voor een PO-leerling
    Dan heeft het SWV bij de TC een sessie aangevraagd met overdrachtsoort SWVaanvraag
    En heeft het SWV het dossier binnen die sessie bij de LAS opgehaald
    En heeft het SWV de sessie afgemeld met OverdrachtGeslaagd

  @las @mandatory
  Scenario: Een documentRequest zonder geldige sessie wordt geweigerd
    Gegeven het SWV haalt dossiers alleen op verzoek op
    En een zorgvraag verzonden voor een PO-leerling
    Als de harnas het dossier bij de LAS opvraagt met een onbekend sessieId
    Dan weigert de LAS het documentRequest met SessieOnbekend
    En heeft de LAS de sessie bij de TC gecontroleerd
    En is er geen dossier geleverd
    Als de harnas het dossier bij de LAS opvraagt met een eigen sessie
    Dan levert de LAS het dossier

  @las @tc @mandatory
  Scenario: Een sessie voor een andere koppelsleutel wordt geweigerd
    Gegeven het SWV haalt dossiers alleen op verzoek op
    En twee zorgvragen verzonden voor PO-leerlingen
    Als de harnas het tweede dossier bij de LAS opvraagt met de sessie van het eerste
    Dan weigert de LAS het documentRequest met SessieAfwijkend
    En is er geen dossier geleverd

  @las @tc @mandatory
  Scenario: Na afmelding levert de LAS niet meer
    Gegeven het SWV haalt dossiers alleen op verzoek op
    En een zorgvraag verzonden voor een PO-leerling
    En de harnas heeft een sessie voor de zorgvraag
    Als de harnas de sessie afmeldt
    En de harnas het dossier bij de LAS opvraagt met die sessie
    Dan weigert de LAS het documentRequest met SessieReedsAfgemeld

  @las @mandatory
  Scenario: Een sessie waarmee de LAS al leverde en die is afgemeld levert niet opnieuw
    Gegeven het SWV haalt dossiers alleen op verzoek op
    En een zorgvraag verzonden voor een PO-leerling
    En de harnas heeft een sessie voor de zorgvraag
    Als de harnas het dossier bij de LAS opvraagt met die sessie
    Dan levert de LAS het dossier
    Als de harnas de sessie afmeldt
    En de harnas het dossier bij de LAS opvraagt met die sessie
    Dan weigert de LAS het documentRequest met SessieReedsAfgemeld
    En is er geen dossier geleverd
    En heeft de LAS voor elk documentRequest precies één sessiecontrole gedaan

  @las @mandatory
  Scenario: Een verzonnen sessieId wordt ook na een geslaagde levering geweigerd
    Gegeven het SWV haalt dossiers alleen op verzoek op
    En een zorgvraag verzonden voor een PO-leerling
    En de harnas heeft een sessie voor de zorgvraag
    Als de harnas het dossier bij de LAS opvraagt met die sessie
    Dan levert de LAS het dossier
    Als de harnas het dossier bij de LAS opvraagt met een onbekend sessieId
    Dan weigert de LAS het documentRequest met SessieOnbekend
    En is er geen dossier geleverd
    En heeft de LAS voor elk documentRequest precies één sessiecontrole gedaan
    Als de harnas het dossier bij de LAS opvraagt met die sessie
    Dan levert de LAS het dossier

  @tc @mandatory
  Scenario: sessiecontrole na afmelding geeft SessieReedsAfgemeld
    Gegeven het SWV haalt dossiers alleen op verzoek op
    En een zorgvraag verzonden voor een PO-leerling
    En de harnas heeft een sessie voor de zorgvraag
    Als de harnas de sessie afmeldt
    En de harnas de sessie bij de TC controleert
    Dan weigert de TC met SessieReedsAfgemeld

  @tc @mandatory
  Scenario: sessiecontrole met afwijkende gegevens geeft SessieAfwijkend
    Gegeven het SWV haalt dossiers alleen op verzoek op
    En een zorgvraag verzonden voor een PO-leerling
    En de harnas heeft een sessie voor de zorgvraag
    Als de harnas de sessie bij de TC controleert met een andere bronBrin
    Dan weigert de TC met SessieAfwijkend

  @las @mandatory
  Scenario: De LAS levert niet als de sessiecontrole niet lukt
    Gegeven het SWV haalt dossiers alleen op verzoek op
    En een zorgvraag verzonden voor een PO-leerling
    En de harnas heeft een sessie voor de zorgvraag
    Als de sessiecontrole van de TC gestoord is
    En de harnas het dossier bij de LAS opvraagt met die sessie
    Dan weigert de LAS het documentRequest
    En is er geen dossier geleverd
    Als de sessiecontrole van de TC weer werkt
    En de harnas het dossier bij de LAS opvraagt met die sessie
    Dan levert de LAS het dossier
