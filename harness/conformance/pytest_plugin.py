"""The conformance run inside a vendor's own pytest (entry point `pytest11`):

    pytest --oso-config las.toml --oso-report rapport/ [--oso-tags EXPR] [--oso-tls[=PKI-MAP]]

With --oso-config or --oso-report the session runs the scenarios that ship with oso-sim instead
of the tests it would otherwise collect, by the same rules as `oso-sim conformance` (the two share
harness.cli.conformance): an incomplete configuration is refused before any scenario, a system
under test must pass the pre-flight, and DIR gets the same junit.xml, report.html and
summary.json with the same verdict. pytest then exits with the code `oso-sim conformance` would
give: 0 geslaagd or deelselectie, 1 mislukt, 2 wrong or incomplete configuration, 3 onvolledig,
4 fout.

Without those two options this plugin does nothing: it is loaded into every pytest run wherever
oso-sim is installed, so at import it only declares its options.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.conformance.options import add_run_options

PLUGIN_NAME = "oso_sim_conformance"


def pytest_addoption(parser):
    group = parser.getgroup("oso-sim", "OSO-conformiteit (oso-sim); zonder --oso-config of --oso-report"
                                       " doet deze plugin niets")
    group.addoption("--oso-config", metavar="FILE",
                    help="TOML-bestand met de rollen; draait de conformiteitsscenario's van oso-sim"
                         " in plaats van de eigen tests")
    group.addoption("--oso-report", metavar="DIR",
                    help="map voor junit.xml, report.html en summary.json (zonder --oso-config: de"
                         " zelftest, alle rollen gesimuleerd)")
    add_run_options(group.addoption, prefix="oso-")


def _active(config) -> bool:
    return bool(config.getoption("oso_config", None) or config.getoption("oso_report", None))


def pytest_configure(config):
    if not _active(config) or config.option.help:
        return
    config.pluginmanager.register(ConformanceSession(config), PLUGIN_NAME)


class ConformanceSession:
    """One conformance run as this pytest session; on an xdist worker only the collection and
    the per-scenario hooks, the controller prepares, judges and reports."""

    def __init__(self, config):
        from harness.cli import conformance as runner
        from harness.runtime import resources

        self.runner = runner
        self.config = config
        # --collect-only lists the scenarios: no pre-flight, no verdict
        self.controller = not hasattr(config, "workerinput") and not config.option.collectonly
        self.run = None
        self._saved_env: dict[str, str | None] = {}
        here = Path(config.invocation_params.dir)
        config_file = config.getoption("oso_config")
        report = config.getoption("oso_report")
        if not report:
            raise pytest.UsageError("--oso-config vraagt ook --oso-report DIR (de map voor de rapporten)")
        self.config_file = str((here / config_file).resolve()) if config_file else None
        self.report = (here / report).resolve()
        self.tags = config.getoption("oso_tags")
        tls = config.getoption("oso_tls")
        self.tls = tls if tls in (None, True, False) else str((here / tls).resolve())

        # the scenarios that ship with oso-sim, whatever the command line or testpaths named
        config.args = [str(resources.conformance_module())]
        expr = runner.tag_expression(self.tags) if self.tags else ""
        if expr:
            own = config.option.markexpr
            config.option.markexpr = f"({own}) and ({expr})" if own else expr
        # registered before anything imports it, so pytest can still rewrite its asserts
        config.pluginmanager.import_plugin("harness.conformance.run_plugin")
        if self.controller:
            self._prepare()

    def _prepare(self) -> None:
        runner = self.runner
        try:
            self.run = runner.prepare(self.config_file, self.tags, self.config.getoption("oso_onvolledig"),
                                      self.report)
            runner.open_report(self.report)
        except runner.Refused as refused:
            code = runner.refuse(self.report, refused, self.tags)
            pytest.exit("oso-sim: de conformiteitsrun is niet gestart", returncode=code)
        if self.run.config.sut_roles and getattr(self.config.option, "numprocesses", None):
            raise pytest.UsageError("een systeem onder test is één gedeelde toestand: draai de"
                                    " conformiteitsscenario's zonder -n (pytest-xdist)")
        # the scenarios read their configuration from the environment, also on xdist workers
        self._setenv(runner.scenario_env(self.run, self.config_file))

    def _setenv(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session):
        # before pytest-xdist starts its workers: they inherit the PKI chosen here
        if not self.controller:
            return
        self.runner.announce(self.run)
        error = self.runner.connect(self.run, self.tls)
        self._setenv(self.runner.scenario_env(self.run, self.config_file))
        if error:
            code = self.runner.finish(self.run, [], error)
            pytest.exit("oso-sim: de conformiteitsrun kon niet oordelen", returncode=code)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        # after harness.conformance.run_plugin wrote DIR/results.json
        if not self.controller or self.run is None:
            return
        scenarios, error = self.runner.judge(self.report, int(exitstatus), log="de uitvoer van pytest")
        session.exitstatus = self.runner.finish(self.run, scenarios, error)

    def pytest_unconfigure(self, config):
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
