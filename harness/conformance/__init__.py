"""The conformance run: which role is under test (config), what the scenarios need, the pre-flight,
one scenario's world and its drivers, the outcomes and verdict, and the catalogue of defects that
proves the suite can fail.

The verdict is decided in verdict.py; a trigger command runs in drivers/trigger.py; the inner
pytest run records its outcomes with run_plugin.py, a vendor's own pytest with pytest_plugin.py.
"""
