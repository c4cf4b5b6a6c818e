"""Drivers: how scenario steps talk to a role, whether it is simulated or a vendor's system.

A simulated role is driven through its JSON API; an external role through its trigger command
(or a person, prompted) and observed through the message logs of the simulated peers.
"""
from harness.conformance.drivers.http import DriverError, JsonApi, SoapProbe, SoapResult  # noqa: F401
