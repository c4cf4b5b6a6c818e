"""Opening a document's ZIP without letting it grow without bound.

A gegevensset or terugkoppeling document is a base64 ZIP holding one file. A ZIP states the
unpacked size of each file in its central directory; a file that says it is larger than the limit
is refused before a byte is inflated, and one whose header lies is cut off while inflating.
"""
from __future__ import annotations

import io
import zipfile

# [choice] five times the upload limit of the forms (10 MB): room for well-compressed documents
MAX_UNPACKED_BYTES = 50 * 1024 * 1024


class TooLarge(ValueError):
    """The file inside the ZIP is larger than the limit once unpacked."""


def unpack_one(raw: bytes, preferred: str, max_bytes: int = MAX_UNPACKED_BYTES) -> tuple[str, bytes] | None:
    """(name, bytes) of the file named `preferred`, else the first file; None when `raw` is not
    a ZIP that can be read. Raises TooLarge instead of unpacking more than `max_bytes`."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            files = [i for i in zf.infolist() if not i.is_dir()]
            if not files:
                return None
            entry = next((i for i in files if i.filename == preferred), files[0])
            name = entry.filename.rsplit("/", 1)[-1] or preferred
            if entry.file_size > max_bytes:
                raise TooLarge(_te_groot(name, entry.file_size, max_bytes))
            with zf.open(entry) as fh:
                data = fh.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise TooLarge(_te_groot(name, None, max_bytes))
            return name, data
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError):
        return None
    except ValueError as exc:
        if isinstance(exc, TooLarge):
            raise
        return None


def _te_groot(name: str, size: int | None, limit: int) -> str:
    hoeveel = f"{size // (1024 * 1024)} MB" if size is not None else "meer dan dat"
    return (f"{name} is uitgepakt {hoeveel}; de grens is {limit // (1024 * 1024)} MB."
            " Het bestand wordt niet geopend.")
