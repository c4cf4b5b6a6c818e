"""Synthetic pupils, rich enough that every rule of the builder gets exercised.

`make_leerling` takes variant flags; a flag left at None is decided by the random generator, so a
population naturally mixes them. The LAS record deliberately carries what the dossier must never
show (bsn, onderwijsnummer, geboorteplaats, nationaliteit, verzorger banknummer).
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from ..dossier.model import (
    Adres, ArrangementPao, Communicatie, Diagnose, Eindtoets, EindtoetsOnderdeel, Handelingsplan,
    Huisarts, Inzage, Leerling, Lwoo, Onderwijsondersteuning, Opp, Overstapadvies,
    Referentiescore, School, Schoolloopbaan, Tlv, Toets, Toetsonderdeel, Toetsresultaat,
    Toetsscore, Verzorger, Verzuim, Vombo, Voorschools, Vroegschools, Vve,
)
from ..dossier.model import Attachment
from .common import (REFERENTIEDATUM, days_before, email_for, faker_for, rng_from, schooljaar_van,
                     split_achternaam, telefoon)
from .pdf import pdf_bytes
from .school import brincode

# Code (code list 23, ICD-10 based) and the name a school uses for it: a code always matches its name.
DIAGNOSES = (
    ("F81.0", "Dyslexie"), ("F81.2", "Dyscalculie"), ("F90.0", "ADHD"), ("F84.0", "Autisme"),
    ("HB", "Hoogbegaafdheid"), ("F80", "Taalontwikkelingsstoornis (TOS)"),
    ("F82", "Motorische ontwikkelingsstoornis (DCD)"), ("F91", "Gedragsstoornis"),
    ("F94", "Hechtingsstoornis"), ("G40", "Epilepsie"), ("H54.2", "Slechtziendheid"),
)
DIAGNOSECODES = tuple(code for code, _ in DIAGNOSES)
DIAGNOSENAMEN = dict(DIAGNOSES)
ADVIEZEN = ("10", "20", "21", "22", "23", "30", "31", "40", "41", "50", "60", "70")
TOETSEN = (
    ("CITO-RW", "rekenen-wiskunde", "Cito Rekenen-Wiskunde"),
    ("CITO-BL", "begrijpend lezen", "Cito Begrijpend lezen"),
    ("DMT", "technisch lezen", "Drie-Minuten-Toets"),
    ("AVI", "technisch lezen", "AVI"),
    ("CITO-SP", "spelling", "Cito Spelling"),
)
TRICKY_VOORNAMEN = ("Daan-Ömer", "Zoë", "Anne-Fleur", "Sjoerd", "Aïcha")
TRICKY_ACHTERNAMEN = (("van der", "Berg"), (None, "D'Hondt"), ("'t", "Hart"), (None, "Çelik"),
                      ("de", "Vries-O'Neill"))
SCRIPT_NAAM = "<script>alert(1)</script>"



# Weighted digit sum (weights 9..2, last digit -1) modulo 11: 0 for a BSN, 5 for an
# onderwijsnummer. Synthetic numbers follow it, as real ones do, so a leak of one is recognisable.
BSN_REST, ONDERWIJSNUMMER_REST = 0, 5


def _elfproef_rest(digits: str) -> int:
    return (sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])) % 11


def elfproef_nummer(draw: int, rest: int) -> str:
    """A 9-digit number near `draw` that passes the elfproef with remainder `rest`. One random
    draw per number, whatever the outcome, so the rest of a seeded population stays the same."""
    n = draw
    while True:
        digits = f"{n:09d}"
        if _elfproef_rest(digits) == rest:
            return digits
        n = n + 1 if n < 999_999_999 else 100_000_000

def _flag(rng: random.Random, value: bool | None, chance: float) -> bool:
    return (rng.random() < chance) if value is None else bool(value)


def _pdf(rng: random.Random, bestandsnaam: str, titel: str, regels: list[str]) -> Attachment:
    return Attachment(bestandsnaam=bestandsnaam, content=pdf_bytes(titel, regels), omschrijving=titel)


def _adres(fake, rng) -> Adres:
    plaats = fake.city()
    return Adres(soortadres="gba", straat=fake.street_name(), nummer=str(rng.randint(1, 300)),
                 toevoeging=rng.choice((None, None, None, "a", "bis", "2")),
                 postcode=fake.postcode().replace(" ", ""), plaats=plaats, gemeente=plaats)


def _communicatie(rng, naam: str, geheim: bool) -> list[Communicatie]:
    items = [Communicatie(soort="telefoon", nummer=telefoon(rng), aanduiding="prive", geheim=geheim)]
    if rng.random() < 0.8:
        items.append(Communicatie(soort="e-mail", nummer=email_for(rng, naam, "voorbeeldmail"),
                                  aanduiding="prive", geheim=geheim))
    return items


def _verzorger(fake, rng, achternaam, voorvoegsel, *, adresgeheim, overleden, geheim, relatie) -> Verzorger:
    man = relatie == "1" if rng.random() < 0.9 else rng.random() < 0.5
    voornaam = fake.first_name_male() if man else fake.first_name_female()
    if rng.random() >= 0.7:  # another surname than the child's
        voorvoegsel, achternaam = split_achternaam(fake.last_name())
    v = Verzorger(
        achternaam=achternaam,
        voorvoegsel=voorvoegsel,
        voornamen=[voornaam],
        voorletters=voornaam[0] + ".",
        roepnaam=voornaam,
        geslacht="1" if man else "2",
        adresgeheim=adresgeheim,
        adressen=[_adres(fake, rng)],
        communicatie=_communicatie(rng, voornaam, geheim),
        relatietotkind=relatie,
        wettigevertegenwoordiger=not overleden,
        banknummer=str(rng.randint(10_000_000, 999_999_999)) if rng.random() < 0.3 else None,
        iban=fake.iban() if rng.random() < 0.5 else None,
    )
    if overleden:
        v.overleden = True
        v.overlijdensdatum = days_before(REFERENTIEDATUM, rng, 30, 2000)
    elif rng.random() < 0.2:
        v.overleden = False
    return v


def _schoolloopbaan(rng, profile: str, jaar: int, brin: str, vestiging: str, oude_brin: str) -> list[Schoolloopbaan]:
    """jaar: the pupil's current jaargroep (PO 1-8) or VO leerjaar (1-3)."""
    huidig = schooljaar_van(REFERENTIEDATUM)
    rows = []
    po_jaren = 8 if profile == "VOSWV" else jaar
    start = huidig - (po_jaren + (jaar if profile == "VOSWV" else 0)) + 1
    for k in range(po_jaren):
        y = start + k
        po_brin = oude_brin if profile == "VOSWV" else brin
        rows.append(Schoolloopbaan(
            schooljaar=f"{y}-{y + 1}", groepscode=f"{k + 1}{rng.choice('ab')}", groepsnaam=f"Groep {k + 1}",
            jaargroep=str(k + 1), begindatum=date(y, 8, 20), einddatum=date(y + 1, 7, 10) if y < huidig else None,
            brincode=po_brin, vestigingscode="00" if profile == "VOSWV" else vestiging,
            schoolsoort="BAO"))
    if profile == "VOSWV":
        for k in range(jaar):
            y = start + po_jaren + k
            # [choice] VO leerjaren 1-6 are coded 11-16 in code list 13; VO has klassen, not groepen.
            klas = f"{k + 1}{rng.choice('ABC')}"
            rows.append(Schoolloopbaan(
                schooljaar=f"{y}-{y + 1}", groepscode=klas, groepsnaam=f"Klas {klas}",
                jaargroep=str(11 + k),
                begindatum=date(y, 8, 25), einddatum=date(y + 1, 7, 10) if y < huidig else None,
                brincode=brin, vestigingscode=vestiging, schoolsoort="VO"))
    return rows


def _dle(rng, jaargroep: str) -> int | None:
    """Didactische leeftijd in months of education since groep 3 (10 per school year): none
    before groep 3, at most 60 at the end of groep 8."""
    g = int(jaargroep)
    if g < 3:
        return None
    maanden = max(1, min(10, (REFERENTIEDATUM - date(schooljaar_van(REFERENTIEDATUM), 8, 1)).days // 30))
    return max(1, min(60, (g - 3) * 10 + rng.randint(max(1, maanden - 2), maanden)))


def _toets(rng, jaargroep: str) -> Toets:
    code, leergebied, naam = rng.choice(TOETSEN)
    score = Toetsscore(aantalopgaven=rng.randint(20, 60))
    score.aantalgoed = rng.randint(5, score.aantalopgaven)
    if rng.random() < 0.5:
        score.vaardigheidsscore = float(rng.randint(20, 120))
    refs = []
    dle = _dle(rng, jaargroep)
    if rng.random() < 0.7 and dle is not None:
        refs.append(Referentiescore("DLE", "Landelijk", str(dle)))
    if rng.random() < 0.5:
        refs.append(Referentiescore("Percentiel", "Landelijk", str(rng.randint(1, 99)),
                                    kwalificatie=rng.choice((None, "Geen nadere kwalificatie"))))
    onderdelen = []
    if rng.random() < 0.3:
        onderdelen.append(Toetsonderdeel(
            eldonderdeelcode=f"{code}-1", onderdeelnaam="Onderdeel 1",
            resultaat=Toetsresultaat(toetsscore=Toetsscore(aantalgoed=rng.randint(1, 20)))))
    return Toets(
        eldtoetscode=code, leergebied=leergebied, toetsnaam=naam,
        afnamedatum=_in_dit_schooljaar(rng), jaargroep=jaargroep,
        dl=dle if rng.random() < 0.5 else None,
        afgenomendoor=rng.choice((None, "Mevr. de Graaf", "Dhr. Yılmaz")), functie="leerkracht",
        resultaat=Toetsresultaat(toetsscore=score, referentiescores=refs), onderdelen=onderdelen,
        opmerking=rng.choice((None, "Afgenomen in twee delen.")),
    )


def _geboortedatum(peildatum: date, leeftijd: int, dagen: int) -> date:
    """A birthday that makes the pupil `leeftijd` (whole years) on the peildatum."""
    try:
        jarig = peildatum.replace(year=peildatum.year - leeftijd)
    except ValueError:  # 29 February
        jarig = peildatum.replace(year=peildatum.year - leeftijd, day=28)
    return jarig - timedelta(days=dagen)


def _in_dit_schooljaar(rng) -> date:
    """A day between the start of the current school year and the reference date."""
    start = date(schooljaar_van(REFERENTIEDATUM), 8, 20)
    ruimte = max(1, (REFERENTIEDATUM - start).days)
    return REFERENTIEDATUM - timedelta(days=rng.randint(0, ruimte))


def _ondersteuning(rng, naam: str, profile: str, zonder_diagnoses: bool) -> Onderwijsondersteuning:
    oo = Onderwijsondersteuning(medicijngebruik=rng.choice((None, True, False)))
    if not zonder_diagnoses:
        for _ in range(rng.randint(1, 2)):
            codes = [rng.choice(DIAGNOSECODES)]
            docs = [_pdf(rng, f"Diagnose_{codes[0]}.pdf", f"Diagnoseverslag {naam}",
                         ["Onderzoek uitgevoerd door een orthopedagoog.", f"Code: {', '.join(codes)}"])] \
                if rng.random() < 0.5 else []
            oo.diagnoses.append(Diagnose(
                codes=codes, naam=DIAGNOSENAMEN.get(codes[0]), datum=days_before(REFERENTIEDATUM, rng, 60, 1500),
                doorwie=rng.choice((None, "GZ-psycholoog")), instantie=rng.choice((None, "Centrum voor Jeugd en Gezin")),
                documenten=docs))
    for i in range(rng.randint(0, 2)):
        start = days_before(REFERENTIEDATUM, rng, 30, 500)
        oo.handelingsplannen.append(Handelingsplan(
            startdatum=start, einddatum=start + timedelta(days=120) if rng.random() < 0.5 else None,
            isgerichtop=rng.choice(("rekenen", "lezen", "gedrag", "werkhouding")),
            document=_pdf(rng, f"Handelingsplan_{i + 1}.pdf", f"Handelingsplan {naam}",
                          ["Doelen, aanpak en evaluatie."]) if rng.random() < 0.6 else None))
    if rng.random() < 0.3:
        oo.opp = Opp(ingangdatum=days_before(REFERENTIEDATUM, rng, 30, 700),
                     documenten=[_pdf(rng, "OPP.pdf", f"Ontwikkelingsperspectief {naam}", ["Uitstroomprofiel."])])
    if rng.random() < 0.2:
        oo.tlv.append(Tlv(ingangdatum=days_before(REFERENTIEDATUM, rng, 100, 900), swvnummer=f"PO{rng.randint(2000, 3099)}",
                          categorie=rng.choice(("H", "M", "L", "Nvt")), beschikkingsnummer=f"TLV-{rng.randint(1000, 9999)}"))
    if rng.random() < 0.2:
        oo.arrangementen_pao.append(ArrangementPao(datum=days_before(REFERENTIEDATUM, rng, 30, 600),
                                                   kenmerk=f"ARR-{rng.randint(100, 999)}"))
    if profile == "VOSWV" and rng.random() < 0.3:
        y = REFERENTIEDATUM.year
        oo.lwoo = Lwoo(ingangdatum=date(y - 1, 8, 1), swvnummer=f"VO{rng.randint(2000, 3099)}",
                       beschikkingsnummer=f"LWOO-{rng.randint(1000, 9999)}", einddatum=date(y + 2, 7, 31))
    return oo


def make_leerling(
    seed_or_rng: int | random.Random = 0,
    profile: str = "POSWV",
    *,
    school: School | None = None,
    bsn: bool | None = None,
    onderwijsnummer: bool | None = None,
    adresgeheim: bool | None = None,
    communicatie_geheim: bool | None = None,
    verzorger_adresgeheim: bool | None = None,
    verzorger_overleden: bool | None = None,
    zonder_diagnoses: bool | None = None,
    tricky_naam: bool | None = None,
    script_naam: bool = False,
) -> Leerling:
    rng = rng_from(seed_or_rng)
    fake = faker_for(rng)
    vo = profile == "VOSWV"
    jaar = rng.randint(1, 3) if vo else rng.randint(2, 8)
    # age on 1 October of this school year: groep 3 starts the year a child turns 6 before then
    leeftijd = (11 + jaar) if vo else (3 + jaar)
    peildatum = date(schooljaar_van(REFERENTIEDATUM), 10, 1)

    geslacht = rng.choice(("1", "2"))
    voornaam = fake.first_name_male() if geslacht == "1" else fake.first_name_female()
    # Faker's Dutch surnames carry their voorvoegsel ("van der Laar"): split, never add one
    voorvoegsel, achternaam = split_achternaam(fake.last_name())
    if _flag(rng, tricky_naam, 0.15):
        voornaam = rng.choice(TRICKY_VOORNAMEN)
        voorvoegsel, achternaam = rng.choice(TRICKY_ACHTERNAMEN)
    if script_naam:
        achternaam = SCRIPT_NAAM
    tweede = [fake.first_name()] if rng.random() < 0.4 else []

    geheim_adres = _flag(rng, adresgeheim, 0.1)
    geheim_comm = _flag(rng, communicatie_geheim, 0.15)
    has_bsn = _flag(rng, bsn, 0.5)
    # A random record holds at most one of the two; asking for both gives both.
    has_onr = bool(onderwijsnummer) if onderwijsnummer is not None else (not has_bsn and rng.random() < 0.2)

    brin = school.brincode if school else brincode(rng)
    vestiging = school.vestigingscode if school else "00"
    loopbaan = _schoolloopbaan(rng, profile, jaar, brin, vestiging, brincode(rng))
    jaargroep = loopbaan[-1].jaargroep

    ll = Leerling(
        achternaam=achternaam,
        voorvoegsel=voorvoegsel,
        voornamen=[voornaam, *tweede],
        voorletters="".join(n[0] + "." for n in [voornaam, *tweede]),
        roepnaam=voornaam,
        geboortedatum=_geboortedatum(peildatum, leeftijd, rng.randint(0, 364)),
        geslacht=geslacht,
        adresgeheim=geheim_adres,
        adressen=[_adres(fake, rng)],
        communicatie=_communicatie(rng, voornaam, geheim_comm) if rng.random() < 0.6 or geheim_comm else [],
        geboorteplaats=fake.city() if rng.random() < 0.7 else None,
        nationaliteit=["0001"] if rng.random() < 0.5 else [],
        bsn=elfproef_nummer(rng.randint(100_000_000, 999_999_999), BSN_REST) if has_bsn else None,
        onderwijsnummer=elfproef_nummer(rng.randint(100_000_000, 999_999_999), ONDERWIJSNUMMER_REST)
        if has_onr else None,
        leerlingid=str(rng.randint(10_000, 99_999)),
        startdatumhuidigonderwijs=loopbaan[0].begindatum if not vo else loopbaan[8].begindatum,
        datuminschrijving=loopbaan[0].begindatum if not vo else loopbaan[8].begindatum,
        leerlinggewicht=rng.choice((None, "0.00", "0.30", "1.20")),
        tehuis=rng.choice((None, False)),
        schoolloopbaan=loopbaan,
    )
    if rng.random() < 0.5:
        arts = fake.last_name()
        ll.huisarts = Huisarts(achternaam=arts, voorletters=fake.random_uppercase_letter() + ".",
                               adressen=[_adres(fake, rng)],
                               communicatie=[Communicatie("telefoon", telefoon(rng, mobiel=False), "werk")])

    n_verzorgers = rng.choice((1, 2, 2, 2)) if rng.random() < 0.97 else 0
    overleden_idx = 1 if (n_verzorgers == 2 and _flag(rng, verzorger_overleden, 0.05)) else None
    if verzorger_overleden and n_verzorgers < 2:
        n_verzorgers, overleden_idx = 2, 1
    for i in range(n_verzorgers):
        ll.verzorgers.append(_verzorger(
            fake, rng, achternaam, voorvoegsel,
            adresgeheim=geheim_adres or _flag(rng, verzorger_adresgeheim, 0.08),
            overleden=i == overleden_idx, geheim=geheim_comm or rng.random() < 0.1,
            relatie=("1", "2")[i] if rng.random() < 0.9 else rng.choice(("3", "4", "5", "6", "7", "8", "9"))))
    ll.verzorgersaansprakelijk = bool(ll.verzorgers)

    if not vo and rng.random() < 0.7:
        ll.vve = Vve(
            vanpeuterspeelzaal=True, naampeuterspeelzaal=f"Peuterspeelzaal {fake.last_name()}",
            voorschools=Voorschools(codevoorschoolsprogramma=rng.randint(1, 15), voorschoolsemaanden=rng.randint(1, 24),
                                    codevoorschoolsehistorie=rng.randint(1, 5), codevoorschoolsetoeleider=rng.randint(1, 9),
                                    codevoorschoolsedeelname=rng.randint(1, 5)) if rng.random() < 0.6 else None,
            vroegschools=[Vroegschools(rng.randint(1, 15), loopbaan[0].begindatum)] if rng.random() < 0.5 else [])
    # an overstapadvies is given in groep 8 (and travels on in VO), never earlier
    if vo or jaargroep == "8":
        ll.overstapadvies = Overstapadvies(
            advies=rng.choice(ADVIEZEN), wensouders=rng.choice((None, *ADVIEZEN)),
            profiel=rng.choice((None, "basis", "plus", "ondersteuning")),
            argumentatie=rng.choice((None, "Werkt gestructureerd, heeft baat bij kleine groepen.")),
            contactnodig=rng.choice((None, True, False)))
    ll.onderwijsondersteuning = _ondersteuning(rng, voornaam, profile, _flag(rng, zonder_diagnoses, 0.3))
    if rng.random() < 0.7:
        ll.verzuim = Verzuim(dagdelengeoorloofd=rng.randint(0, 20), dagdelenongeoorloofd=rng.randint(0, 6),
                             meerdan25percent=False, contactleerplicht=rng.choice((None, True, False)))
    toets_jg = jaargroep if not vo else "8"
    ll.toetsen = [_toets(rng, toets_jg) for _ in range(rng.randint(0, 3))]
    if vo:
        ll.eindtoets = Eindtoets(
            deelgenomen=True, toetssoort=rng.choice(("0011", "0012", "0013", "0014", "0016")),
            toetsomschrijving="Centrale eindtoets", datum_afname=date(loopbaan[7].begindatum.year + 1, 4, 18),
            wettelijke_ontheffing="N", standaardscore=rng.randint(501, 550), toets_advies="vmbo kb",
            onderdelen=[EindtoetsOnderdeel("8000", "Nederlandse taal", rng.choice(("01", "02", "03", "04"))),
                        EindtoetsOnderdeel("8001", "Rekenen", rng.choice(("01", "02", "03", "04")))])
        ll.vombo = Vombo(bevorderd_elementcode=f"{rng.randint(0, 9999):04d}", bevorderd_leerjaar=str(11 + jaar),
                         certificaten=["Typediploma"] if rng.random() < 0.2 else [],
                         beroepskeuzetest=rng.random() < 0.5, portfolio=True, pop=False,
                         motivatiebrief=False, lobdossier=rng.random() < 0.5)
    if rng.random() < 0.3:
        ll.inzage = Inzage(voorlopigdossier=False, inzage=True, inzagedatum=days_before(REFERENTIEDATUM, rng, 1, 30),
                           akkoord=rng.choice(("Ja", "Nee", "Onbekend")), toestemming="Ja")
    return ll


def make_population(seed: int | str, n: int, profile: str = "POSWV", school: School | None = None) -> list[Leerling]:
    rng = random.Random(f"population:{seed}:{profile}")
    return [make_leerling(rng, profile, school=school) for _ in range(n)]
