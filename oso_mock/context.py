"""What every Traffic Center operation needs: the store, the clock and the settings."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from actor_kit.store import Store

from .policy import TcPolicy

DEFAULT_SESSION_TTL_SECONDS = 900


@dataclass
class TrafficCenter:
    store: Store
    clock: Callable[[], float] = time.time
    session_ttl: float = DEFAULT_SESSION_TTL_SECONDS
    actor_urls: dict = field(default_factory=dict)
    # the rules where a self-check may play a broken TC (oso_mock/defects.py); the correct ones
    policy: TcPolicy = field(default_factory=TcPolicy)

    def now(self) -> float:
        return float(self.clock())

    def resolve_url(self, url: str) -> str:
        for role, base in self.actor_urls.items():
            if base:
                url = url.replace("{" + role + "}", str(base).rstrip("/"))
        return url


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds")
