"""`python -m harness.cli`: the same as the `oso-sim` command."""
from harness.cli import main

raise SystemExit(main())
