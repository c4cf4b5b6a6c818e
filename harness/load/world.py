"""The simulated side of a load run: a register with many schools, the actors as processes.

A load run wants many schools (many BRINs, each with its own LAS aanleverpunt) and a simulated
side that grows with Locust's workers. So each worker gets a LAS process of its own holding a
slice of the schools, and the TC's register points each school's aanleverpunt at the LAS that
holds it. The TC stays one process: it holds the one register and the sessions.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from harness.runtime.processes import ActorProcess, free_port

LAS_SYSTEM, SWV_SYSTEM = "las-sim", "swv-sim"
SWV_PO = ("0000000700025PO00931", "25PO")
SWV_VO = ("0000000700025VO00932", "25VO")


def brin_of(i: int) -> str:
    """A synthetic BRIN: two digits and two letters, unique for i < 2600."""
    letters = chr(ord("A") + (i // 100) % 26) + "L"
    return f"{i % 100:02d}{letters}"


def las_kenmerk(brin: str) -> str:
    return f"00000007000{brin}00950"


@dataclass
class School:
    brin: str
    routeringskenmerk: str
    vo: bool
    las: int            # index of the LAS process holding it


@dataclass
class World:
    """Everything the Locust processes need to know, written as JSON beside the run."""

    shape: str
    urls: dict[str, str]                  # tc, swv (and las for shape las)
    las_urls: list[str]                   # one simulated LAS per worker (shape swv)
    schools: list[School] = field(default_factory=list)
    swv_aanleverpunten: dict[str, str] = field(default_factory=dict)   # "po"/"vo" -> kenmerk
    max_exchanges: int = 0
    wait_seconds: float = 60.0
    pool: list[dict] = field(default_factory=list)   # shape las: prepared zorgvragen

    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> World:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        data["schools"] = [School(**s) for s in data["schools"]]
        return cls(**data)


def make_schools(count: int, las_count: int) -> list[School]:
    # every fourth school is a VO school, so both SWV aanleverpunten and profiles get load
    return [School(brin_of(i), las_kenmerk(brin_of(i)), i % 4 == 3, i % las_count)
            for i in range(count)]


def scenario(schools: list[School], las_urls: list[str], swv_url: str, *, swv_points=None,
             only_las: int | None = None, leerlingen: int = 4) -> dict:
    """The scenario YAML as a dict: the whole register for the TC; the LAS section holds only the
    schools of LAS `only_las` (None: all of them)."""
    swv_points = swv_points or {"po": SWV_PO, "vo": SWV_VO}
    po = [s.brin for s in schools if not s.vo]
    vo = [s.brin for s in schools if s.vo]
    register = {
        "schools": [{"brin": s.brin, "vestigingscode": "00", "naam": f"Loadschool {s.brin}",
                     "sector": "VO" if s.vo else "PO", "bestuur": "Stichting Belasting"}
                    for s in schools],
        "systems": [{"id": LAS_SYSTEM, "naam": "oso-sim LAS", "soort": "LAS", "leverancier": "oso-sim",
                     "oin": "00000003100000010000"},
                    {"id": SWV_SYSTEM, "naam": "oso-sim SWV", "soort": "SWV", "leverancier": "oso-sim",
                     "oin": "00000003100000020000"}],
        "mandates": [{"brin": s.brin, "system": sys_id, "dienst": "OSO-SWV"}
                     for s in schools for sys_id in (LAS_SYSTEM, SWV_SYSTEM)],
        "aanleverpunten": [
            {"routeringskenmerk": s.routeringskenmerk, "brin": s.brin, "system": LAS_SYSTEM,
             "doel": "OV", "naam": f"Loadschool {s.brin} (LAS)", "url": las_urls[s.las] + "/oso",
             "actief": True} for s in schools] + [
            {"routeringskenmerk": rk, "brin": brin, "system": SWV_SYSTEM, "doel": "SWV",
             "naam": f"SWV {kind.upper()} belasting", "url": swv_url, "actief": True,
             "scholen": po if kind == "po" else vo}
            for kind, (rk, brin) in swv_points.items() if (po if kind == "po" else vo)],
    }
    las_schools = [{"brin": s.brin, "vestigingscode": "00", "routeringskenmerk": s.routeringskenmerk,
                    "profile": "VOSWV" if s.vo else "POSWV", "leerlingen": leerlingen}
                   for s in schools if only_las is None or s.las == only_las]
    return {
        "name": "belasting",
        "description": "Veel scholen voor een belastingsrun.",
        "register": register,
        "las": {"system": LAS_SYSTEM, "seed": 2019 + (only_las or 0), "schools": las_schools},
        "swv": {"system": SWV_SYSTEM, "naam": "SWV belasting",
                "aanleverpunten": [{"routeringskenmerk": rk, "brin": brin, "naam": f"SWV {k.upper()}"}
                                   for k, (rk, brin) in swv_points.items()],
                "auto_fetch": True},
    }


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class Processes:
    """The actor processes of one run; stopped together, whatever started."""

    def __init__(self):
        self.procs: list[ActorProcess] = []

    def start(self, proc: ActorProcess) -> ActorProcess:
        self.procs.append(proc)
        return proc.start(timeout=60)

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.stop()


def _defects(defects: dict, role: str) -> list[str]:
    """`--defect NAME` for each deliberate fault of a simulated role (proving the checks fail)."""
    return [arg for name in defects.get(role, ()) for arg in ("--defect", name)]


def start_swv_world(workdir: Path, procs: Processes, *, schools: int, las_count: int,
                    swv_external: tuple[str, str, str] | None, leerlingen: int = 4,
                    defects: dict | None = None) -> World:
    """Shape swv: the TC and one LAS per worker simulated; the SWV ours unless `swv_external`
    = (soap url, routeringskenmerk, brin) of the vendor's SWV."""
    tc_port = free_port()
    las_ports = [free_port() for _ in range(las_count)]
    las_urls = [f"http://127.0.0.1:{p}" for p in las_ports]
    tc_url = f"http://127.0.0.1:{tc_port}"
    if swv_external:
        swv_soap, rk, brin = swv_external
        points = {"po": (rk, brin)}
        swv_base = None
    else:
        swv_port = free_port()
        swv_base = f"http://127.0.0.1:{swv_port}"
        swv_soap = swv_base + "/oso"
        points = {"po": SWV_PO, "vo": SWV_VO}
    all_schools = make_schools(schools, las_count)
    if swv_external:
        for s in all_schools:
            s.vo = False   # one aanleverpunt of the vendor for every school
    tc_yaml = write_yaml(workdir / "scenario-tc.yaml",
                         scenario(all_schools, las_urls, swv_soap, swv_points=points, leerlingen=leerlingen))
    defects = defects or {}
    procs.start(ActorProcess("tc", tc_port, workdir / "tc.sqlite", "--scenario", str(tc_yaml),
                             *_defects(defects, "tc")))
    for k, port in enumerate(las_ports):
        las_yaml = write_yaml(workdir / f"scenario-las{k}.yaml",
                              scenario(all_schools, las_urls, swv_soap, swv_points=points,
                                       only_las=k, leerlingen=leerlingen))
        procs.start(ActorProcess("las", port, workdir / f"las{k}.sqlite", "--tc-url", tc_url,
                                 "--scenario", str(las_yaml), *_defects(defects, "las")))
    urls = {"tc": tc_url}
    if swv_base:
        procs.start(ActorProcess("swv", swv_port, workdir / "swv.sqlite", "--tc-url", tc_url,
                                 "--scenario", str(tc_yaml), *_defects(defects, "swv")))
        urls["swv"] = swv_base
    return World("swv", urls, las_urls, all_schools,
                 {k: rk for k, (rk, _) in points.items()})


def start_las_world(workdir: Path, procs: Processes, *, schools: int, leerlingen: int = 4,
                    defects: dict | None = None) -> World:
    """Shape las: the TC and an SWV that does not fetch by itself (the load does the fetching);
    our LAS as the system under load, holding all schools."""
    ports = {r: free_port() for r in ("tc", "las", "swv")}
    urls = {r: f"http://127.0.0.1:{p}" for r, p in ports.items()}
    all_schools = make_schools(schools, 1)
    tc_yaml = write_yaml(workdir / "scenario.yaml",
                         scenario(all_schools, [urls["las"]], urls["swv"] + "/oso", leerlingen=leerlingen))
    defects = defects or {}
    procs.start(ActorProcess("tc", ports["tc"], workdir / "tc.sqlite", "--scenario", str(tc_yaml),
                             *_defects(defects, "tc")))
    procs.start(ActorProcess("las", ports["las"], workdir / "las.sqlite", "--tc-url", urls["tc"],
                             "--scenario", str(tc_yaml), *_defects(defects, "las")))
    procs.start(ActorProcess("swv", ports["swv"], workdir / "swv.sqlite", "--tc-url", urls["tc"],
                             "--scenario", str(tc_yaml), "--manual-fetch", *_defects(defects, "swv")))
    return World("las", urls, [urls["las"]], all_schools,
                 {"po": SWV_PO[0], "vo": SWV_VO[0]})
