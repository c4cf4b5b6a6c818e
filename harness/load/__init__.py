"""`oso-sim load`: load runs on Locust against a vendor's SWV or LAS, or against our own actors.

Only the locustfiles (locust_swv.py, locust_las.py) import Locust, and they run in Locust's own
processes: Locust monkey-patches the standard library with gevent, which must never happen inside
oso-sim itself or the test suite. Everything else here (world, checks, report) is plain Python.
"""
