"""The test PKI (`oso-sim pki init`) and the OIN in the TC's register."""
from __future__ import annotations

import copy
import datetime as dt
import json
import sqlite3

import pytest
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from actor_kit import identity, pki
from harness.cli import main
from harness.runtime.scenario import load_scenario
from oso_mock import register
from tc_support import make_app

LAS_OIN = "00000003100000010000"
SWV_OIN = "00000003100000020000"


def _cert(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    assert main(["pki", "init", str(d)]) == 0
    return d


def test_init_writes_the_documented_layout(pki_dir, capsys):
    for name in ("ca.pem", "ca.key", "andere-ca.pem", "las-sim.pem", "las-sim.key", "swv-sim.pem",
                 "swv-sim.key", "tc.pem", "tc.key", "harnas.pem", "harnas.key", "harnas.p12",
                 "slecht/verlopen.pem", "slecht/andere-ca.pem", "slecht/verkeerde-oin.key",
                 "pki.json"):
        assert (pki_dir / name).is_file(), name
    assert (pki_dir / "las-sim.key").stat().st_mode & 0o077 == 0  # private keys not world-readable
    manifest = json.loads((pki_dir / "pki.json").read_text())
    assert manifest["certificaten"]["las-sim"]["oin"] == LAS_OIN
    assert manifest["certificaten"]["verkeerde-oin"]["cert"] == "slecht/verkeerde-oin.pem"


def test_init_prints_in_dutch_what_it_wrote(tmp_path, capsys):
    assert main(["pki", "init", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Test-PKI geschreven in" in out
    assert f"systeem las-sim, OIN {LAS_OIN}" in out
    assert "SLECHT: verlopen" in out


@pytest.mark.parametrize("system_id, oin", [("las-sim", LAS_OIN), ("swv-sim", SWV_OIN),
                                            (pki.TC_ID, pki.TC_OIN),
                                            (pki.HARNESS_ID, pki.HARNESS_OIN)])
def test_each_certificate_chains_to_the_ca_for_server_and_client_use(pki_dir, system_id, oin):
    ca = _cert(pki_dir / "ca.pem")
    cert = _cert(pki_dir / f"{system_id}.pem")
    store = Store([ca])
    # a verifier as a TLS client uses it (serverAuth, SAN localhost) and as a server does
    # (clientAuth); both raise VerificationError when the chain, dates or usages are wrong
    PolicyBuilder().store(store).build_server_verifier(x509.DNSName("localhost")).verify(cert, [])
    PolicyBuilder().store(store).build_client_verifier().verify(cert, [])
    assert identity.oin_of(cert) == oin
    assert identity.oin_of(cert.public_bytes(pki.serialization.Encoding.DER)) == oin
    names = {a.oid: a.value for a in cert.subject}
    assert names[x509.NameOID.COMMON_NAME] == "localhost"
    assert names[x509.NameOID.COUNTRY_NAME] == "NL"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]


def test_system_certificates_name_the_system_of_the_register(pki_dir):
    org = _cert(pki_dir / "las-sim.pem").subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    assert org[0].value == "oso-sim LAS"


def test_bad_certificates_fail_the_way_their_name_says(pki_dir):
    store = Store([_cert(pki_dir / "ca.pem")])
    verifier = PolicyBuilder().store(store).build_client_verifier()
    with pytest.raises(VerificationError):
        verifier.verify(_cert(pki_dir / "slecht/verlopen.pem"), [])
    with pytest.raises(VerificationError):
        verifier.verify(_cert(pki_dir / "slecht/andere-ca.pem"), [])
    expired = _cert(pki_dir / "slecht/verlopen.pem")
    assert expired.not_valid_after_utc < dt.datetime.now(dt.timezone.utc)
    assert identity.oin_of(expired) == LAS_OIN  # only the date is wrong
    other = _cert(pki_dir / "slecht/andere-ca.pem")
    other.verify_directly_issued_by(_cert(pki_dir / "andere-ca.pem"))
    # the wrong-OIN certificate is a valid one, carrying an OIN of no system in the register
    wrong = _cert(pki_dir / "slecht/verkeerde-oin.pem")
    verifier.verify(wrong, [])
    oins = {s["oin"] for s in load_scenario()["register"]["systems"]}
    assert identity.oin_of(wrong) == pki.UNKNOWN_OIN and pki.UNKNOWN_OIN not in oins


def test_a_new_init_replaces_the_whole_chain(tmp_path):
    pki.init(tmp_path, load_scenario())
    first_ca = _cert(tmp_path / "ca.pem")
    pki.init(tmp_path, load_scenario())
    with pytest.raises(Exception):
        _cert(tmp_path / "las-sim.pem").verify_directly_issued_by(first_ca)
    _cert(tmp_path / "las-sim.pem").verify_directly_issued_by(_cert(tmp_path / "ca.pem"))


def test_pki_init_refuses_a_register_without_oins(tmp_path, capsys):
    scenario = copy.deepcopy(load_scenario())
    del scenario["register"]["systems"][1]["oin"]
    path = tmp_path / "scenario.yaml"
    path.write_text(json.dumps(scenario))  # JSON is YAML
    assert main(["pki", "init", str(tmp_path / "pki"), "--scenario", str(path)]) == 2
    assert "swv-sim heeft geen geldige OIN" in capsys.readouterr().err
    assert not (tmp_path / "pki" / "ca.pem").exists()


def test_pki_refuses_an_oin_used_twice():
    scenario = copy.deepcopy(load_scenario())
    scenario["register"]["systems"][1]["oin"] = LAS_OIN
    with pytest.raises(pki.PkiError, match="al van las-sim"):
        pki.systems_of(scenario)


def test_files_for_names_the_missing_file(tmp_path):
    with pytest.raises(pki.PkiError, match="ca.pem ontbreekt"):
        pki.files_for(tmp_path, "las-sim")


# --- register ----------------------------------------------------------------------------------

def test_register_finds_a_system_by_its_oin(tmp_path):
    app = make_app(tmp_path)
    tc = app.extensions["oso_mock"]
    assert register.system_by_oin(tc, LAS_OIN)["id"] == "las-sim"
    assert register.system_by_oin(tc, SWV_OIN)["id"] == "swv-sim"
    assert register.system_by_oin(tc, pki.UNKNOWN_OIN) is None
    assert register.system_by_oin(tc, None) is None
    systems = app.test_client().get("/api/register").json["systems"]
    assert {s["id"]: s["oin"] for s in systems} == {"las-sim": LAS_OIN, "swv-sim": SWV_OIN}


def test_admin_checks_the_oin_of_a_new_system(tmp_path):
    client = make_app(tmp_path).test_client()
    bad = client.post("/api/register/systems",
                      json={"id": "x", "naam": "X", "soort": "LAS", "oin": "1234"})
    assert bad.status_code == 400 and "20 cijfers" in bad.json["fout"]
    taken = client.post("/api/register/systems",
                        json={"id": "x", "naam": "X", "soort": "LAS", "oin": LAS_OIN})
    assert taken.status_code == 409
    ok = client.post("/api/register/systems",
                     json={"id": "x", "naam": "X", "soort": "LAS", "oin": "00000003100000030000"})
    assert ok.status_code == 201 and ok.json["oin"] == "00000003100000030000"
    assert client.post("/api/register/systems",
                       json={"id": "y", "naam": "Y", "soort": "SWV"}).status_code == 201


def test_a_tc_database_from_before_oins_gets_the_column(tmp_path):
    db = tmp_path / "tc.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE systems (id TEXT PRIMARY KEY, naam TEXT NOT NULL,"
                 " soort TEXT NOT NULL, leverancier TEXT)")
    conn.commit()
    conn.close()
    app = make_app(tmp_path)
    tc = app.extensions["oso_mock"]
    assert register.system_by_oin(tc, LAS_OIN)["id"] == "las-sim"


def test_pki_init_over_a_world_readable_key_makes_every_key_private_again(tmp_path):
    pki.init(tmp_path, load_scenario())
    keys = sorted(tmp_path.rglob("*.key")) + [tmp_path / "harnas.p12"]
    assert len(keys) > 5
    for path in keys:
        path.chmod(0o644)
    pki.init(tmp_path, load_scenario())
    for path in keys:
        assert path.stat().st_mode & 0o777 == 0o600, path.name
    # control: the keys written over the old files are the new chain's and still load
    from cryptography.hazmat.primitives import serialization
    key = serialization.load_pem_private_key((tmp_path / "las-sim.key").read_bytes(), None)
    assert key.public_key() == _cert(tmp_path / "las-sim.pem").public_key()
    assert not list(tmp_path.rglob(".*.tmp"))
