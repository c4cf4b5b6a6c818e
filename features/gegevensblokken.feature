@OSS.PM01
Feature: Gegevensblokken en het profiel van het dossier
  Wat de school niet aanvinkt komt als OPT-UIT en afwezig aan; verplichte blokken komen altijd
  mee; het dossier volgt de profielmatrix van POSWV en VOSWV.

  @las @mandatory
  Scenario Outline: Niet aangevinkte optionele blokken komen als OPT-UIT en afwezig aan (<sector>)
    Given a <sector> leerling in the LAS
    When the school sends a zorgvraag with toelichting and only the verplichte gegevensblokken
    Then the zorgvraag is sent
    And the SWV has fetched the dossier
    And every optional category is declared OPT-UIT and absent
    And every verplichte category is declared VERPLICHT

    Examples:
      | sector |
      | PO     |
      | VO     |

  @las @mandatory @OS.cat06
  Scenario: Een VO-dossier bevat geen VVE
    Given a VO leerling in the LAS
    When the school sends a zorgvraag with toelichting and all gegevensblokken
    Then the zorgvraag is sent
    And the SWV has fetched the dossier
    And category cat_vve is declared VERBODEN and absent

  @las @mandatory @OS.cat06
  Scenario: Ook een aangevinkt VVE-blok komt niet in een VO-dossier
    Given a VO leerling in the LAS
    When the school sends a zorgvraag with toelichting and all gegevensblokken including VVE
    Then no VO dossier carries VVE

  @las @mandatory
  Scenario Outline: Het dossier volgt de profielmatrix van <profiel>
    Given a <sector> leerling in the LAS
    When the school sends a zorgvraag with toelichting and all gegevensblokken
    Then the zorgvraag is sent
    And the SWV has fetched the dossier
    And the dossier declares profile <profiel>
    And every category is declared as the profile matrix of <profiel> allows

    Examples:
      | sector | profiel |
      | PO     | POSWV   |
      | VO     | VOSWV   |
