"""Memory `oso-sim verify-bundle` needs for hostile bundles.

Each bundle is checked in a fresh process (harness.evidence.bundle.verify, what the command runs). The
figure is the kernel's high-water mark of resident memory (VmHWM, reset after the imports and a
warm-up), because libxml2 and zlib allocate outside Python where tracemalloc does not look.
Target: under 100 MiB for every shape, because the members are streamed (hashed in pieces and
kept nowhere) and only what a check parses is held, one member at a time, under a bound.

    .venv/bin/python benchmarks/bundle_memory.py [--shape NAME]
"""
from __future__ import annotations

import argparse
import base64
import gc
import io
import json
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.evidence import bundle  # noqa: E402

MIB = 1024 * 1024


def _zeros_member(zf: zipfile.ZipFile, name: str, size: int) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w", force_zip64=size > 2**31) as fh:
        block = b"\0" * MIB
        for _ in range(size // MIB):
            fh.write(block)


def declare(path: Path, name: str, declared: int) -> None:
    """Make the ZIP's local header and central directory state `declared` as the unpacked size
    of `name`: the header lies, the data stays as it is."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    struct.pack_into("<I", raw, info.header_offset + 22, declared)
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        n = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46:at + 46 + n].decode() == name:
            struct.pack_into("<I", raw, at + 24, declared)
        at = raw.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(raw))


def _manifest(scenarios=()) -> bytes:
    return json.dumps({"formaat": bundle.FORMAT, "bestanden": {}, "scenarios": list(scenarios)}).encode()


def many_declared_large(path: Path) -> None:
    """The probe's bundle: 21 members of 50 MiB each, 1,050 MiB in all, in a file of about 1 MB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(bundle.MANIFEST, _manifest())
        for i in range(21):
            _zeros_member(zf, f"rapport/groot-{i:02d}.bin", bundle.MAX_MEMBER_BYTES)


def lying_header(path: Path) -> None:
    """A member that says it unpacks to 1 kB and holds 1 GiB of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(bundle.MANIFEST, _manifest())
        _zeros_member(zf, "rapport/klein.bin", 1024 * MIB)
    declare(path, "rapport/klein.bin", 1024)


def at_the_limits(path: Path) -> None:
    """Within every bound: 20 members of 50 MB, 1,000 MB in all; each is inflated and hashed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(bundle.MANIFEST, _manifest())
        for i in range(20):
            _zeros_member(zf, f"rapport/groot-{i:02d}.bin", 47 * MIB)


def json_of_empty_lists(path: Path) -> None:
    """A berichten.json of 16 MB that would become millions of Python lists."""
    folder = "scenarios/001-x"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(bundle.MANIFEST, _manifest([{"map": folder, "naam": "x"}]))
        zf.writestr(f"{folder}/berichten.json", b"[" + b"[]," * (bundle.MAX_JSON_BYTES // 3 - 2) + b"[]]")


def largest_message_with_a_zip_bomb(path: Path) -> None:
    """One scenario of messages at the read bound (MAX_READ_BYTES), each a documentResponse whose
    dossier carries an attachment that unpacks to 32 MB of digits (3.3 million 11-proef hits)."""
    from oso_protocol.transport import codec
    from oso_protocol.transport.messages import DocumentResponse
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bijlage.txt", b"123456782 " * (32 * MIB // 10))
    bijlage = base64.b64encode(packed.getvalue()).decode()
    room = bundle.MAX_READ_BYTES - 4096
    filler = "x" * max(0, (room * 3 // 4) - len(bijlage) - 2000)
    # the filler in pieces: one text node of 10 MB would stop the parse before the attachment
    pieces = "".join(f"<opmerking>{filler[i:i + 65536]}</opmerking>" for i in range(0, len(filler), 65536))
    dossier = (f"<dossier><bijlage><bestandsnaam>b.zip</bestandsnaam><bestandsinhoud>{bijlage}"
               f"</bestandsinhoud></bijlage>{pieces}</dossier>").encode()
    xml = codec.encode(DocumentResponse(resultaat="DossierGeleverd", dossierVersie="2019.1",
                                        dossier=base64.b64encode(dossier).decode()))
    assert len(xml) <= bundle.MAX_READ_BYTES, len(xml)
    scenarios, folder = [], "scenarios/001-x"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        index = []
        for i in range(8):
            name = f"{folder}/berichten/{i:03d}-las-documentResponse.xml"
            zf.writestr(name, xml)
            index.append({"actor": "LAS", "operation": "document", "bestand": name})
        zf.writestr(f"{folder}/berichten.json", json.dumps(index))
        scenarios.append({"map": folder, "naam": "x", "dossiers": []})
        zf.writestr(bundle.MANIFEST, _manifest(scenarios))


SHAPES = {
    "21 x 50 MiB (1050 MiB), bestand ~1 MB": many_declared_large,
    "kop zegt 1 kB, inhoud 1 GiB nullen": lying_header,
    "20 x 47 MiB echt (binnen de grenzen)": at_the_limits,
    "berichten.json van 16 MB lege lijsten": json_of_empty_lists,
    f"8 berichten van {bundle.MAX_READ_BYTES // MIB} MiB, elk met ZIP-bom van 32 MB": largest_message_with_a_zip_bomb,
}


def _status(key: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(key)


def measure_one(path: str) -> None:
    """In a child process: verify one bundle, print 'peak seconds outcome'."""
    from oso_protocol.dossier import validate
    from oso_protocol import pgn_scan  # noqa: F401
    validate(b"<dossier/>")   # schema compiled, imports done
    gc.collect()
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    before = _status("VmRSS")
    start = time.perf_counter()
    try:
        result = bundle.verify(Path(path))
        outcome = "intact" if result.intact else "niet intact: " + "; ".join(result.problems)[:80]
    except bundle.Unreadable as exc:
        outcome = f"onleesbaar: {str(exc)[:80]}"
    print(f"{_status('VmHWM') - before:.1f}\t{time.perf_counter() - start:.1f}\t{outcome}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shape")
    p.add_argument("--child")
    args = p.parse_args()
    if args.child:
        measure_one(args.child)
        return
    print(f"  {'pakket':52} {'bestand MB':>10} {'piek MiB':>9} {'s':>6}  uitkomst")
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in SHAPES.items():
            if args.shape and args.shape not in name:
                continue
            path = Path(tmp) / "pakket.zip"
            make(path)
            out = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True,
                                 text=True, check=True).stdout.strip().split("\t")
            print(f"  {name:52} {path.stat().st_size / 1e6:>10.1f} {float(out[0]):>9.1f} {float(out[1]):>6.1f}"
                  f"  {out[2]}")
            path.unlink()


if __name__ == "__main__":
    main()
