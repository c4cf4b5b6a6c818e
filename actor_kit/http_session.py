"""A requests.Session that reads the proxy environment once per host instead of on every call.

requests scans every environment variable for proxy settings on each request; with a few dozen
variables that costs about a millisecond of CPU per call, a tenth of an exchange's budget. The
environment does not change while an actor runs, so the answer per scheme and host is kept.
"""
from __future__ import annotations

import threading
from urllib.parse import urlsplit

import requests


class Session(requests.Session):
    def __init__(self):
        super().__init__()
        self._env_cache: dict = {}
        self._env_lock = threading.Lock()

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if proxies:  # per-call proxies: let requests merge them as usual
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, stream, verify, cert)
        with self._env_lock:
            found = self._env_cache.get(key)
        if found is None:
            found = super().merge_environment_settings(url, proxies, stream, verify, cert)
            with self._env_lock:
                self._env_cache[key] = found
        return {**found, "proxies": dict(found["proxies"])}
