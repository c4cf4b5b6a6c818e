"""Every page says how callers are known: in the loopback demo only by the routeringskenmerk in
the message, under mutual TLS by their certificate."""
from __future__ import annotations

import pytest

from harness.conformance.drivers.http import JsonApi
from harness.runtime.actors import Actors


@pytest.mark.slow
@pytest.mark.parametrize("tls", [False, True], ids=["demo", "tls"])
def test_pages_say_how_callers_are_known(tmp_path, tls):
    actors = Actors(workdir=tmp_path, tls=tls or None).start()
    try:
        kwargs = {}
        if tls:
            files = actors.client_tls
            kwargs = {"verify": files["ca"], "cert": (files["cert"], files["key"])}
        for role, path in (("tc", "/"), ("las", "/"), ("swv", "/")):
            api = JsonApi(role, actors.urls[role], 10.0, **kwargs)
            resp = api.http.get(actors.urls[role] + path, timeout=10)
            assert resp.status_code == 200, (role, resp.status_code)
            text = resp.text
            if tls:
                assert "Wederzijdse TLS" in text and "Demo zonder certificaten" not in text, role
            else:
                assert "Demo zonder certificaten" in text and "routeringskenmerk" in text, role
            api.http.close()
    finally:
        actors.stop()
