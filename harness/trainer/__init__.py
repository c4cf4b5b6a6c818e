"""The trainer's demo: the situations a trainer plays in one click (scenarios.py) and where a
running `oso-sim demo` can be found (demo_state.py).
"""
