"""Timestamps as Dutch readers expect them on the pages: Europe/Amsterdam, day-month-year.

Actors store times in UTC (ISO 8601); school staff and trainers read local time.
"""
from __future__ import annotations

from datetime import datetime

try:
    from zoneinfo import ZoneInfo
    LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
except Exception:  # noqa: BLE001 (zoneinfo raises several kinds when tzdata is missing)
    LOCAL_TZ = None  # without tz data the stored offset is shown as it is


def local(moment: datetime) -> datetime:
    if moment.tzinfo is not None and LOCAL_TZ is not None:
        return moment.astimezone(LOCAL_TZ)
    return moment


def datumtijd(value, *, seconds: bool = True) -> str:
    """"2024-03-01T10:15:30+00:00" -> "01-03-2024 11:15:30"; other text as it is."""
    text = str(value or "")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return local(moment).strftime("%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M")
