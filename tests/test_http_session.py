"""The shared requests session: proxy environment read once per host, still honoured."""
import pytest
import requests

from actor_kit.http_session import Session, forget_environment


@pytest.fixture(autouse=True)
def fresh_cache():
    forget_environment()
    yield
    forget_environment()


def test_environment_is_merged_once_per_host_for_every_session(monkeypatch):
    calls = []
    real = requests.Session.merge_environment_settings

    def counting(self, url, proxies, stream, verify, cert):
        calls.append(url)
        return real(self, url, proxies, stream, verify, cert)

    monkeypatch.setattr(requests.Session, "merge_environment_settings", counting)
    for _ in range(5):  # a new session per call, as a new request thread would make
        Session().merge_environment_settings("http://127.0.0.1:8600/oso", {}, None, None, None)
    Session().merge_environment_settings("http://127.0.0.1:8601/oso", {}, None, None, None)
    assert calls == ["http://127.0.0.1:8600/oso", "http://127.0.0.1:8601/oso"]


def test_proxy_environment_still_applies(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    s = Session()
    far = s.merge_environment_settings("http://swv.example/oso", {}, None, None, None)
    near = s.merge_environment_settings("http://127.0.0.1:9/oso", {}, None, None, None)
    assert far["proxies"].get("http") == "http://proxy.example:3128"
    assert "http" not in near["proxies"]


def test_a_caller_changing_the_result_does_not_change_the_cache():
    s = Session()
    first = s.merge_environment_settings("http://127.0.0.1:9/oso", {}, None, None, None)
    first["proxies"]["http"] = "http://evil:1"
    again = s.merge_environment_settings("http://127.0.0.1:9/oso", {}, None, None, None)
    assert "http" not in again["proxies"]


def test_session_proxies_are_not_served_from_the_cache():
    Session().merge_environment_settings("http://swv.example/oso", {}, None, None, None)
    s = Session()
    s.proxies = {"http": "http://own-proxy:8080"}
    merged = s.merge_environment_settings("http://swv.example/oso", {}, None, None, None)
    assert merged["proxies"]["http"] == "http://own-proxy:8080"
