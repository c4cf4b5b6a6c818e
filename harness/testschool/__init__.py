"""Test-school mode: a simulated school (LAS + TC) whose prepared pupils each trigger one flow
towards a vendor's SWV system, with a listing of what that SWV did with each."""
