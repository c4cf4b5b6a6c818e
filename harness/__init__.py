"""The command line, role configuration, running the actors together, and conformance runs."""
