# language: nl
@OSS.PM01
Functionaliteit: Gegevensblokken en het profiel van het dossier
  Wat de school niet aanvinkt komt als OPT-UIT en afwezig aan; verplichte blokken komen altijd
  mee; het dossier volgt de profielmatrix van POSWV en VOSWV.

  @las @mandatory
  Abstract Scenario: Niet aangevinkte optionele blokken komen als OPT-UIT en afwezig aan (<sector>)
    Gegeven een <sector>-leerling in de LAS
    Als de school een zorgvraag met toelichting en alleen de verplichte gegevensblokken verzendt
    Dan is de zorgvraag verzonden
    En heeft het SWV het dossier opgehaald
    En is elke optionele categorie gedeclareerd als OPT-UIT en afwezig
    En is elke verplichte categorie gedeclareerd als VERPLICHT

    Voorbeelden:
      | sector |
      | PO     |
      | VO     |

  @las @mandatory @OS.cat06
  Scenario: Een VO-dossier bevat geen VVE
    Gegeven een VO-leerling in de LAS
    Als de school een zorgvraag met toelichting en alle gegevensblokken verzendt
    Dan is de zorgvraag verzonden
    En heeft het SWV het dossier opgehaald
    En is categorie cat_vve gedeclareerd als VERBODEN en afwezig

  @las @mandatory @OS.cat06
  Scenario: Ook een aangevinkt VVE-blok komt niet in een VO-dossier
    Gegeven een VO-leerling in de LAS
    Als de school een zorgvraag met toelichting en alle gegevensblokken inclusief VVE verzendt
    Dan bevat geen enkel VO-dossier VVE

  @las @mandatory
  Abstract Scenario: Het dossier volgt de profielmatrix van <profiel>
    Gegeven een <sector>-leerling in de LAS
    Als de school een zorgvraag met toelichting en alle gegevensblokken verzendt
    Dan is de zorgvraag verzonden
    En heeft het SWV het dossier opgehaald
    En declareert het dossier profiel <profiel>
    En is elke categorie gedeclareerd zoals de profielmatrix van <profiel> toestaat

    Voorbeelden:
      | sector | profiel |
      | PO     | POSWV   |
      | VO     | VOSWV   |
