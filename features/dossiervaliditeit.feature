# language: nl
Functionaliteit: Elk dossier dat de LAS levert is geldig
  Ieder aanvraag SWV-dossier dat de LAS uitlevert, doorstaat de volledige validatie: XSD, de
  regels van de standaard en de projectregels.

  @las @mandatory
  Abstract Scenario: Een <sector>-dossier met <blokken> gegevensblokken is geldig
    Gegeven een <sector>-leerling in de LAS
    Als de school een zorgvraag met toelichting en <blokken> gegevensblokken verzendt
    Dan is de zorgvraag verzonden
    En heeft het SWV het dossier opgehaald
    En doorstaat het dossier de volledige validatie

    Voorbeelden:
      | sector | blokken               |
      | PO     | alle                  |
      | PO     | alleen de verplichte  |
      | VO     | alle                  |
      | VO     | alleen de verplichte  |

  @las @optional @OSS.ATT01 @kenmerk.extra_bijlagen
  Scenario: Extra bijlagen komen aan in de bijlagedocumenten
    Gegeven een PO-leerling in de LAS
    Als de school een zorgvraag met toelichting en 2 bijlagen verzendt
    Dan is de zorgvraag verzonden
    En heeft het SWV het dossier opgehaald
    En is categorie cat_bijlagedocs gedeclareerd als OPTIONEEL
    En bevat het dossier de 2 bijlagen met naam en inhoud
    En doorstaat het dossier de volledige validatie
