"""Compiled XSDs, one per thread and per key.

Two threads must never share an lxml XMLSchema: the object keeps the error log of its last
validation, so one request would read another's errors; and libxml2's schema compiler may tidy
the document it is given. Each thread therefore parses the schema text and compiles it for
itself, once. Compiling is also done one thread at a time: libxml2 sets up its built-in types on
the first compile, unguarded, and two threads compiling at once get "Document is not valid XML
Schema" or "the given type is not a built-in type", or crash the process.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from lxml import etree

_local = threading.local()
_compiling = threading.Lock()


def per_thread(key: Hashable, schema_bytes: Callable[[], bytes]) -> etree.XMLSchema:
    """The schema for `key` compiled in this thread from `schema_bytes()` (called once per thread)."""
    cache = getattr(_local, "schemas", None)
    if cache is None:
        cache = _local.schemas = {}
    schema = cache.get(key)
    if schema is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        with _compiling:
            schema = cache[key] = etree.XMLSchema(etree.fromstring(schema_bytes(), parser))
    return schema
