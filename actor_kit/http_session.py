"""A requests.Session that reads the proxy environment once per host instead of on every call.

requests scans every environment variable for proxy settings on each request; with a few dozen
variables that costs about a millisecond of CPU per call, a tenth of an exchange's budget. The
environment does not change while an actor runs, so the answer per scheme and host is kept for
the whole process: actors hold one session per thread, and each new thread would otherwise pay
again.

`Session(tls=...)` presents an actor's client certificate and trusts only the test CA
(`actor_kit.tls`); without it requests' defaults hold.
"""
from __future__ import annotations

import threading
from urllib.parse import urlsplit

import requests

from .tls import apply_to_session

_cache: dict = {}
_lock = threading.Lock()


class Session(requests.Session):
    def __init__(self, tls=None):
        super().__init__()
        apply_to_session(self, tls)

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if verify is None and self.verify is not True:
            # requests lets REQUESTS_CA_BUNDLE override the session's own CA (or verify=False);
            # a session told to trust only the test CA must keep doing so
            verify = self.verify
        if proxies or self.proxies or not self.trust_env:
            # per-call or per-session proxies, or no environment: let requests merge as usual
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, stream, verify, cert, self.stream, self.verify, self.cert)
        with _lock:
            found = _cache.get(key)
        if found is None:
            found = super().merge_environment_settings(url, proxies, stream, verify, cert)
            with _lock:
                _cache[key] = found
        return {**found, "proxies": dict(found["proxies"])}


def forget_environment() -> None:
    """Read the environment afresh on the next call (after a test changed it)."""
    with _lock:
        _cache.clear()
