"""Memory one hostile SOAP message costs the receiving actor, per shape of message.

Each shape is decoded in a fresh process (codec.decode, the gate every /oso request passes):
the figures are the kernel's resident set (VmRSS) and its high-water mark (VmHWM, reset after
warm-up), because libxml2 allocates outside Python where tracemalloc does not look.

- peak:  the most the decode added on top of the warmed-up process;
- kept:  what was still resident after the message was refused and garbage collected, and
         after handing freed heap back as the SOAP endpoint does after a message over 1 MiB.

Then a Traffic Center on a loopback port takes `--count` copies of the 200,000-attribute message
(`--parallel` at a time) and the process's resident memory is printed before and after. Target:
the 200k-attribute message adds less than 50 MiB and nothing stays behind.

    .venv/bin/python benchmarks/soap_memory.py [--count 32] [--parallel 8] [--shape NAME]
"""
from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from actor_kit.soap_endpoint import _give_memory_back  # noqa: E402
from oso_protocol.transport import codec  # noqa: E402
from oso_protocol.transport.faults import OsoFault  # noqa: E402
from oso_protocol.transport.messages import (NotificatieRequest,  # noqa: E402
                                             OverzichtAanleverpuntRequest)

MIB = 1024 * 1024


def legit() -> bytes:
    return codec.encode(NotificatieRequest(
        bronBrin="12AB", bronRouteringsKenmerk="0" * 20, doelBrin="34CD",
        doelRouteringsKenmerk="1" * 20, koppelsleutel="12345678-1234-1234-1234-123456789012"))


def tc_legit() -> bytes:
    return codec.encode(OverzichtAanleverpuntRequest(brin="12AB"))


def _inside_bron_brin(attrs: bytes = b"", children: bytes = b"", text: bytes = b"12AB") -> bytes:
    return legit().replace(b"<oso:bronBrin>12AB", b"<oso:bronBrin" + attrs + b">" + children + text, 1)


def shapes() -> dict[str, bytes]:
    n_attr = codec.MAX_ATTRIBUTES - 10
    n_el = codec.MAX_MARKUP - 40
    return {
        "geldig bericht": legit(),
        "200.000 attributen (2,3 MB)": _inside_bron_brin(
            b" " + b" ".join(b'a%d="1"' % i for i in range(200_000))),
        f"{n_attr} attributen (net onder de grens)": _inside_bron_brin(
            b" " + b" ".join(b'a%d="1"' % i for i in range(n_attr))),
        f"{n_el} lege elementen (net onder de grens)": _inside_bron_brin(children=b"<x/>" * n_el),
        f"{n_el // 2} geneste elementen": _inside_bron_brin(
            children=b"<x>" * (n_el // 2) + b"</x>" * (n_el // 2)),
        "15 MB tekst in een patroonveld": _inside_bron_brin(text=b"A" * (15 * MIB)),
    }


def _status(key: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def measure_one(name: str) -> None:
    """In a child process: decode one shape, print 'peak kept outcome'."""
    data = shapes()[name]
    codec.decode(legit())  # schema compiled, imports done
    gc.collect()
    _reset_peak()
    before = _status("VmRSS")
    try:
        codec.decode(data)
        outcome = "aangenomen"
    except OsoFault as fault:
        outcome = f"{fault.resultaat}: {fault.omschrijving[:70]}"
    gc.collect()
    kept = _status("VmRSS") - before
    _give_memory_back()  # what the endpoint does after a message over 1 MiB
    print(f"{_status('VmHWM') - before:.1f}\t{kept:.1f}\t{_status('VmRSS') - before:.1f}\t{outcome}")


def per_shape(only: str | None) -> None:
    print("per vorm van bericht (codec.decode, eigen proces):")
    print(f"  {'vorm':44} {'bytes':>10} {'piek MiB':>9} {'blijft MiB':>10} {'na trim':>8}  uitkomst")
    for name, data in shapes().items():
        if only and only not in name:
            continue
        out = subprocess.run([sys.executable, __file__, "--child", name], capture_output=True,
                             text=True, check=True).stdout.strip().split("\t")
        print(f"  {name:44} {len(data):>10} {float(out[0]):>9.1f} {float(out[1]):>10.1f}"
              f" {float(out[2]):>8.1f}  {out[3]}")


def _child_status(pid: int, key: str) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    return 0.0


def server_run(count: int, parallel: int) -> None:
    """`oso-sim serve tc` in its own process, so the figures are the server's alone."""
    import requests

    attack = shapes()["200.000 attributen (2,3 MB)"]
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [sys.executable, "-m", "harness.cli", "serve", "tc", "--port", "0",
             "--db", str(Path(tmp) / "tc.sqlite")],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            url = line.split(" luistert op ", 1)[1].split()[0] + "/oso"
            headers = {"Content-Type": codec.CONTENT_TYPE}
            for _ in range(3):
                requests.post(url, data=tc_legit(), headers=headers, timeout=30)
            with open(f"/proc/{proc.pid}/clear_refs", "w") as fh:
                fh.write("5")
            before = _child_status(proc.pid, "VmRSS")

            def post(_):
                return requests.post(url, data=attack, headers=headers, timeout=60).status_code

            with ThreadPoolExecutor(max_workers=parallel) as pool:
                statuses = list(pool.map(post, range(count)))
            peak, after = _child_status(proc.pid, "VmHWM"), _child_status(proc.pid, "VmRSS")
            ok = requests.post(url, data=tc_legit(), headers=headers, timeout=30).status_code
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"oso-sim serve tc (eigen proces), {count} x 200.000 attributen ({parallel} tegelijk),"
          f" HTTP {sorted(set(statuses))}, daarna een geldig bericht: HTTP {ok}")
    print(f"  RSS voor {before:.1f} MiB, piek {peak:.1f} MiB (+{peak - before:.1f}),"
          f" na afloop {after:.1f} MiB (+{after - before:.1f})")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--count", type=int, default=32)
    p.add_argument("--parallel", type=int, default=8)
    p.add_argument("--shape", help="alleen vormen waarvan de naam dit bevat")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        measure_one(args.child)
        return 0
    per_shape(args.shape)
    if not args.shape:
        server_run(max(1, min(args.count, 256)), max(1, min(args.parallel, 32)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
