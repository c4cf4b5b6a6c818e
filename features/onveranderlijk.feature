# language: nl
@onveranderlijk
Functionaliteit: Een verzonden zorgvraag is onveranderlijk
  Na "Opslaan en verzenden" ligt het dossier vast: wijzigen kan niet meer, het SWV haalt de
  momentopname van het verzendmoment op, en wie iets wil aanpassen maakt een nieuwe zorgvraag.
  De nieuwe achternaam is elke run een andere, en de oude wordt na het scenario teruggezet: een
  LAS die zijn gegevens bewaart krijgt run na run hetzelfde oordeel.

  @las @mandatory
  Abstract Scenario: Elke wijziging van een verzonden zorgvraag wordt geweigerd (<veld>)
    Gegeven een zorgvraag verzonden voor een PO-leerling
    Als de school de <veld> van de zorgvraag wijzigt
    Dan weigert de LAS de wijziging

    Voorbeelden:
      | veld            |
      | omschrijving    |
      | aandachtspunten |
      | aanleverpunt    |
      | gegevensblokken |
      | toelichting     |

  @las @mandatory
  Scenario: Het SWV haalt de momentopname van het verzendmoment op
    Gegeven het SWV haalt dossiers alleen op verzoek op
    En een zorgvraag verzonden voor een PO-leerling
    En de harnas heeft het dossier met een sessie opgehaald en zonder OverdrachtGeslaagd afgemeld
    Als de achternaam van de leerling in de LAS wordt gewijzigd in een naam die alleen deze run kent
    En de harnas het dossier opnieuw ophaalt met een nieuwe sessie
    Dan is het tweede dossier gelijk aan het eerste
    En bevat het dossier de nieuwe achternaam niet

  @las @mandatory
  Scenario: Een nieuwe zorgvraag neemt de gewijzigde gegevens mee
    Gegeven een zorgvraag verzonden voor een PO-leerling
    Als de achternaam van de leerling in de LAS wordt gewijzigd in een naam die alleen deze run kent
    En de school een nieuwe zorgvraag met toelichting verzendt
    Dan is de zorgvraag verzonden met een nieuwe koppelsleutel
    En heeft het SWV het dossier opgehaald
    En bevat het dossier de nieuwe achternaam
