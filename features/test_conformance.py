"""Binds every feature file in this folder; the steps live in steps/ and are wired in conftest."""
from pytest_bdd import scenarios

scenarios(".")
