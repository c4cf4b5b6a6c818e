"""The SOAP 1.1 codec: round trips of every message type, and every kind of refused input."""
from __future__ import annotations

import base64

import pytest
from lxml import etree

from oso_protocol.transport import NS_20180404, codec, decode, encode, encode_fault
from oso_protocol.transport import faults
from oso_protocol.transport import messages as m
from oso_protocol.transport.faults import OsoFault

SOAP = codec.SOAP_ENV
LAS_RK = "0000000700000YY00931"
SWV_RK = "0000000700000YY00932"
KOPPEL = "19677A96-B737-402E-B3B8-24A3EEF32000"
SESSIE = "9cebd89c-8953-416b-a2cb-ecee939f1775"
DOSSIER = base64.b64encode("<dossier>één leerling</dossier>".encode()).decode()
ZIP = base64.b64encode(b"PK\x03\x04 fake zip").decode()

ROUTE = dict(bronBrin="00YY", bronRouteringsKenmerk=LAS_RK, doelBrin="12SS",
             doelRouteringsKenmerk=SWV_RK)

SAMPLES: list[m.Message] = [
    m.OverzichtAanleverpuntRequest(brin="12SS", doel="SWV"),
    m.OverzichtAanleverpuntResponse(aanleverpunt=[
        m.Aanleverpunt(SWV_RK, "12SS", "SWV Passend Onderwijs Regio Zuid", "SWV",
                       vestigingscode="00", systeem="SWV-mock", actief=True),
        m.Aanleverpunt("0000000700000YY00933", "12SS", "SWV oud & <inactief>", "SWV",
                       actief=False),
    ]),
    m.MeldenNotificatieRequest(**ROUTE),
    m.MeldenNotificatieResponse(koppelsleutel=KOPPEL, url="http://127.0.0.1:5002/oso"),
    m.NotificatieRequest(**ROUTE, koppelsleutel=KOPPEL),
    m.NotificatieResponse(),
    m.OverdrachtRequest(bronBrin="00YY", doelBrin="12SS", doelRouteringsKenmerk=SWV_RK,
                        bronRouteringsKenmerk=LAS_RK, koppelsleutel=KOPPEL),
    m.OverdrachtResponse(sessieId=SESSIE, bronRouteringsKenmerk=LAS_RK,
                         url="http://127.0.0.1:5001/oso"),
    m.DocumentRequest(sessieId=SESSIE, **ROUTE, koppelsleutel=KOPPEL),
    m.DocumentResponse(resultaat=m.DOSSIER_GELEVERD, dossierVersie="2019.1", dossier=DOSSIER),
    m.SessiecontroleRequest(**ROUTE, koppelsleutel=KOPPEL, overdrachtsoort="SWVaanvraag",
                            sessieId=SESSIE),
    m.SessiecontroleResponse(sector="SWV"),
    m.AfmeldingRequest(sessieId=SESSIE, **ROUTE, koppelsleutel=KOPPEL,
                       overdrachtsoort="SWVaanvraag", resultaat=m.OVERDRACHT_GESLAAGD),
    m.AfmeldingResponse(),
    m.MeldenTerugkoppelingRequest(**ROUTE, koppelsleutel=KOPPEL),
    m.MeldenTerugkoppelingResponse(url="http://127.0.0.1:5001/oso"),
    m.TerugkoppelingRequest(**ROUTE, koppelsleutel=KOPPEL, terugkoppeling=m.Terugkoppeling(
        status="Toegekend", datum="2024-03-01T10:15:00+01:00",
        toelichting="TLV toegekend voor 2 jaar.\nZie bijlage.", behandelaar="M. de Vries",
        document=[m.Document("besluit.pdf", ZIP, "Besluit TLV"), m.Document("extra.pdf", ZIP)])),
    m.TerugkoppelingResponse(),
]


def _body_element(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    return root.find(f"{{{SOAP}}}Body")[0]


def _envelope(body_xml: str, *, env_ns: str = SOAP, header: str = "<s:Header/>") -> bytes:
    return (f'<s:Envelope xmlns:s="{env_ns}" xmlns:o="{m.NS}">{header}'
            f"<s:Body>{body_xml}</s:Body></s:Envelope>").encode()


def _refused(data: bytes, **kw) -> OsoFault:
    with pytest.raises(OsoFault) as info:
        decode(data, **kw)
    assert info.value.received is False
    return info.value


# --- round trips -------------------------------------------------------------------------------

def test_samples_cover_every_message_type():
    assert {type(s) for s in SAMPLES} == set(m.MESSAGE_TYPES)


@pytest.mark.parametrize("message", SAMPLES, ids=lambda s: s.ELEMENT)
def test_round_trip(message):
    data = encode(message)
    assert decode(data) == message
    body = _body_element(data)
    assert body.tag == f"{{{m.NS}}}{message.ELEMENT}"
    codec.message_schema().assertValid(body)
    assert codec.peek_operation(data) == message.OPERATION


@pytest.mark.parametrize("message", SAMPLES, ids=lambda s: s.ELEMENT)
def test_round_trip_in_20180404_namespace(message):
    data = encode(message, ns=NS_20180404)
    assert f"{{{NS_20180404}}}{message.ELEMENT}" == _body_element(data).tag
    assert decode(data, ns=NS_20180404) == message


def test_encoding_follows_field_order_and_skips_none():
    msg = m.OverdrachtRequest(bronBrin="00YY", doelBrin="12SS", doelRouteringsKenmerk=SWV_RK,
                              koppelsleutel=KOPPEL)
    names = [etree.QName(c).localname for c in _body_element(encode(msg))]
    assert names == ["bronBrin", "doelBrin", "doelRouteringsKenmerk", "overdrachtsoort",
                     "koppelsleutel"]


def test_decoded_types():
    got = decode(encode(SAMPLES[1]))
    assert got.aanleverpunt[1].actief is False and got.aanleverpunt[0].actief is True
    assert isinstance(got.aanleverpunt[0], m.Aanleverpunt)
    fb = decode(encode(SAMPLES[16])).terugkoppeling
    assert isinstance(fb, m.Terugkoppeling) and isinstance(fb.document[0], m.Document)
    assert fb.document[1].omschrijving is None


def test_empty_list_round_trips():
    assert decode(encode(m.OverzichtAanleverpuntResponse())) == m.OverzichtAanleverpuntResponse()


def test_foreign_prefixes_and_whitespace_accepted():
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP}">
  <SOAP-ENV:Body>
    <ns1:notificatieResponse xmlns:ns1="{m.NS}">
      <ns1:resultaat>NotificatieOntvangen</ns1:resultaat>
    </ns1:notificatieResponse>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>""".encode()
    assert decode(data) == m.NotificatieResponse()


def test_encode_validate_flag_refuses_bad_values():
    bad = m.NotificatieRequest(**{**ROUTE, "bronBrin": "YY00"}, koppelsleutel=KOPPEL)
    encode(bad)  # without the flag the codec writes what it is given
    with pytest.raises(OsoFault) as info:
        encode(bad, validate=True)
    assert info.value.resultaat == faults.ONGELDIG_BERICHT


def test_soap_action_and_constants():
    assert codec.soap_action("overdracht") == f"{m.NS}/overdracht"
    assert codec.HTTP_STATUS_FAULT == 500
    assert codec.CONTENT_TYPE == "text/xml; charset=utf-8"


# --- refusals ----------------------------------------------------------------------------------

def test_malformed_xml():
    f = _refused(b"<s:Envelope xmlns:s='x'><unclosed></s:Envelope>")
    assert f.resultaat == faults.ONGELDIG_BERICHT


def test_empty_input():
    assert _refused(b"").resultaat == faults.ONGELDIG_BERICHT


def test_dtd_xxe_refused():
    data = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            + _envelope("<o:notificatieResponse><o:resultaat>&e;</o:resultaat>"
                        "</o:notificatieResponse>"))
    assert _refused(data).resultaat == faults.ONGELDIG_BERICHT


def test_entity_bomb_refused():
    ents = "".join(f'<!ENTITY l{i} "&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};">' for i in range(1, 10))
    data = (f'<!DOCTYPE e [<!ENTITY l0 "lol">{ents}]>'.encode()
            + _envelope("<o:afmeldingResponse><o:resultaat>&l9;</o:resultaat>"
                        "</o:afmeldingResponse>"))
    assert _refused(data).resultaat == faults.ONGELDIG_BERICHT


def test_oversized_refused():
    data = encode(SAMPLES[9])
    f = _refused(data, max_bytes=len(data) - 1)
    assert f.resultaat == faults.BERICHT_TE_GROOT
    assert decode(data, max_bytes=len(data)) == SAMPLES[9]


def test_not_an_envelope():
    f = _refused(f'<o:notificatieResponse xmlns:o="{m.NS}"><o:resultaat>X</o:resultaat>'
                 f"</o:notificatieResponse>".encode())
    assert f.resultaat == faults.ONGELDIG_BERICHT and "Envelope" in f.omschrijving


def test_soap12_refused():
    data = _envelope("<o:afmeldingResponse><o:resultaat>X</o:resultaat></o:afmeldingResponse>",
                     env_ns="http://www.w3.org/2003/05/soap-envelope")
    f = _refused(data)
    assert f.resultaat == faults.ONGELDIG_BERICHT and "SOAP 1.2" in f.omschrijving


def test_two_body_children():
    one = "<o:afmeldingResponse><o:resultaat>X</o:resultaat></o:afmeldingResponse>"
    assert _refused(_envelope(one + one)).resultaat == faults.ONGELDIG_BERICHT


def test_empty_body():
    assert _refused(_envelope("")).resultaat == faults.ONGELDIG_BERICHT


def test_two_bodies():
    data = _envelope("<o:afmeldingResponse><o:resultaat>X</o:resultaat></o:afmeldingResponse>",
                     header="<s:Body/>")
    assert _refused(data).resultaat == faults.ONGELDIG_BERICHT


def test_must_understand_header_refused():
    data = _envelope("<o:afmeldingResponse><o:resultaat>X</o:resultaat></o:afmeldingResponse>",
                     header='<s:Header><w:Security xmlns:w="urn:wsse" s:mustUnderstand="1"/>'
                            "</s:Header>")
    f = _refused(data)
    assert f.faultcode == "MustUnderstand"


def test_unknown_header_without_must_understand_ignored():
    data = _envelope("<o:afmeldingResponse><o:resultaat>X</o:resultaat></o:afmeldingResponse>",
                     header='<s:Header><w:To xmlns:w="urn:wsa">x</w:To></s:Header>')
    assert decode(data) == m.AfmeldingResponse(resultaat="X")


def test_unknown_body_element():
    f = _refused(_envelope("<o:pingRequest/>"))
    assert f.resultaat == faults.ONBEKENDE_OPERATIE and "pingRequest" in f.omschrijving


def test_wrong_oso_namespace():
    data = encode(SAMPLES[5], ns=NS_20180404)
    f = _refused(data)
    assert f.resultaat == faults.ONGELDIG_BERICHT
    assert NS_20180404 in f.omschrijving and m.NS in f.omschrijving


def _body_without(message: m.Message, drop: str) -> bytes:
    root = etree.fromstring(encode(message))
    body = root.find(f"{{{SOAP}}}Body")[0]
    body.remove(body.find(f"{{{m.NS}}}{drop}"))
    return etree.tostring(root)


def test_missing_required_field():
    f = _refused(_body_without(SAMPLES[4], "koppelsleutel"))
    assert f.resultaat == faults.ONGELDIG_BERICHT
    assert "notificatieRequest" in f.omschrijving and "regel" in f.omschrijving


def test_bad_guid():
    msg = m.NotificatieRequest(**ROUTE, koppelsleutel="not-a-guid")
    f = _refused(encode(msg))
    assert f.resultaat == faults.ONGELDIG_BERICHT and "not-a-guid" in f.omschrijving


@pytest.mark.parametrize("value", [KOPPEL.lower(), KOPPEL.upper()])
def test_guid_case_insensitive(value):
    msg = m.NotificatieRequest(**ROUTE, koppelsleutel=value)
    assert decode(encode(msg)).koppelsleutel == value


def test_both_keys_refused():
    msg = m.OverdrachtRequest(bronBrin="00YY", doelBrin="12SS", doelRouteringsKenmerk=SWV_RK,
                              zoeksleutel="c2xldXRlbA==", koppelsleutel=KOPPEL)
    assert _refused(encode(msg)).resultaat == faults.ONGELDIG_BERICHT


def test_no_key_refused():
    msg = m.OverdrachtRequest(bronBrin="00YY", doelBrin="12SS", doelRouteringsKenmerk=SWV_RK)
    assert _refused(encode(msg)).resultaat == faults.ONGELDIG_BERICHT


def test_zoeksleutel_alone_accepted():
    msg = m.OverdrachtRequest(bronBrin="00YY", doelBrin="12SS", doelRouteringsKenmerk=SWV_RK,
                              overdrachtsoort="overstapdossier", zoeksleutel="c2xldXRlbA==")
    assert decode(encode(msg)) == msg


@pytest.mark.parametrize("field,value", [
    ("bronBrin", "00yy"), ("bronBrin", "0YY"), ("doelRouteringsKenmerk", "0000000700000YY0093"),
    ("doelRouteringsKenmerk", "0000000700000yy00932"), ("doel", "XYZ"), ("doel", ""),
])
def test_bad_simple_values(field, value):
    msg = m.MeldenNotificatieRequest(**ROUTE)
    setattr(msg, field, value)
    assert _refused(encode(msg)).resultaat == faults.ONGELDIG_BERICHT


def test_pao_passes_the_schema():
    # refusing the pre-2021 doel is a business rule (OnjuistDoel), not a schema error
    msg = m.MeldenNotificatieRequest(**ROUTE, doel="PaO")
    assert decode(encode(msg)).doel == "PaO"


def test_bad_terugkoppeling_status_and_datum():
    good = SAMPLES[16]
    for change in ({"status": "Misschien"}, {"datum": "gisteren"}):
        fb = m.Terugkoppeling(**{**good.terugkoppeling.__dict__, **change})
        msg = m.TerugkoppelingRequest(**{**good.__dict__, "terugkoppeling": fb})
        assert _refused(encode(msg)).resultaat == faults.ONGELDIG_BERICHT


def test_validate_false_skips_schema():
    msg = m.NotificatieRequest(**ROUTE, koppelsleutel="not-a-guid")
    assert decode(encode(msg), validate=False) == msg


# --- faults ------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [faults.SESSIE_AFWIJKEND, faults.KOPPELSLEUTEL_ONBEKEND,
                                  faults.INTERNE_FOUT])
def test_fault_round_trip(code):
    sent = OsoFault(code, "De sessie wijkt af van de overdracht – controleer ‘bronBrin’.")
    data = encode_fault(sent)
    with pytest.raises(OsoFault) as info:
        decode(data)
    got = info.value
    assert got.received is True
    assert (got.resultaat, got.omschrijving, got.faultcode) == (
        sent.resultaat, sent.omschrijving, sent.faultcode)


def test_fault_layout():
    data = encode_fault(OsoFault(faults.SESSIE_VERLOPEN, "Verlopen."))
    root = etree.fromstring(data)
    fault = root.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault")
    assert fault.findtext("faultcode") == "soapenv:Client"
    assert fault.findtext("faultstring") == "SessieVerlopen: Verlopen."
    oso = fault.find(f"detail/{{{m.NS}}}osoFout")
    codec.message_schema().assertValid(oso)
    server = etree.fromstring(encode_fault(OsoFault(faults.INTERNE_FOUT, "x")))
    assert server.findtext(f"{{{SOAP}}}Body/{{{SOAP}}}Fault/faultcode") == "soapenv:Server"


def test_fault_in_other_namespace_round_trips():
    with pytest.raises(OsoFault) as info:
        decode(encode_fault(OsoFault(faults.GEEN_MANDAAT, "Geen mandaat."), ns=NS_20180404),
               ns=NS_20180404)
    assert info.value.resultaat == faults.GEEN_MANDAAT and info.value.received


def test_foreign_fault_without_detail():
    data = _envelope("<s:Fault><faultcode>s:Server</faultcode>"
                     "<faultstring>java.lang.NullPointerException</faultstring></s:Fault>")
    with pytest.raises(OsoFault) as info:
        decode(data)
    f = info.value
    assert f.received and f.resultaat == faults.INTERNE_FOUT and f.faultcode == "Server"
    assert "NullPointerException" in f.omschrijving


def test_foreign_fault_with_code_in_faultstring():
    data = _envelope("<s:Fault><faultcode>s:Client</faultcode>"
                     "<faultstring>SessieReedsAfgemeld: al afgemeld</faultstring></s:Fault>")
    with pytest.raises(OsoFault) as info:
        decode(data)
    assert (info.value.resultaat, info.value.omschrijving) == (
        faults.SESSIE_REEDS_AFGEMELD, "al afgemeld")


def test_peek_operation_garbage():
    assert codec.peek_operation(b"not xml") is None
    assert codec.peek_operation(_envelope("<o:pingRequest/>")) is None


def test_dossier_over_libxml2_text_node_limit():
    # one base64 text node above libxml2's 10 MB default, still under the 16 MB message limit
    big = base64.b64encode(b"\x00" * 8_000_000).decode()
    msg = m.DocumentResponse(resultaat=m.DOSSIER_GELEVERD, dossierVersie="2019.1", dossier=big)
    data = encode(msg)
    assert 10_000_000 < len(data) < codec.DEFAULT_MAX_BYTES
    assert decode(data) == msg


def test_dossier_base64_refused_when_not_base64():
    msg = m.DocumentResponse(resultaat=m.DOSSIER_GELEVERD, dossierVersie="2019.1",
                             dossier="dit is geen base64!")
    assert _refused(encode(msg)).resultaat == faults.ONGELDIG_BERICHT


def test_comments_around_body_element_accepted():
    data = _envelope("<!-- door de proxy -->"
                     "<o:afmeldingResponse><o:resultaat>X</o:resultaat></o:afmeldingResponse>")
    assert decode(data) == m.AfmeldingResponse(resultaat="X")
    assert codec.peek_operation(data) == "afmelding"


def test_header_after_body_refused():
    data = (f'<s:Envelope xmlns:s="{SOAP}" xmlns:o="{m.NS}"><s:Body><o:afmeldingResponse>'
            f"<o:resultaat>X</o:resultaat></o:afmeldingResponse></s:Body><s:Header/>"
            f"</s:Envelope>").encode()
    assert _refused(data).resultaat == faults.ONGELDIG_BERICHT


def test_text_in_body_refused():
    data = _envelope("los<o:afmeldingResponse><o:resultaat>X</o:resultaat></o:afmeldingResponse>")
    assert _refused(data).resultaat == faults.ONGELDIG_BERICHT
