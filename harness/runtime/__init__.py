"""What starts and locates our actors and their data: the three actors in one process (actors.py)
or as OS processes (processes.py), complete exchanges through their APIs (exchange.py), the scenario
files (scenario.py), the files that ship with oso-sim (resources.py) and the official reference
files (reference_data.py).
"""
