# language: nl
Functionaliteit: Een zorgvraag verwijderen
  Een verwijderde zorgvraag verdwijnt uit het overzicht van de leerling en is niet meer op te halen.

  @las @mandatory
  Scenario: Een verwijderde zorgvraag verdwijnt uit het overzicht en is niet meer op te halen
    Gegeven het SWV haalt dossiers alleen op verzoek op
    En een zorgvraag verzonden voor een PO-leerling
    En de harnas heeft een sessie voor de zorgvraag
    Als de school de zorgvraag verwijdert
    Dan toont de LAS de zorgvraag niet meer
    Als de harnas het dossier bij de LAS opvraagt met die sessie
    Dan weigert de LAS het documentRequest met LeerlinginfoNietBeschikbaar
    En is er geen dossier geleverd
