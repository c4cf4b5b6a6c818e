"""The oso-sim harness: the command line (cli/), conformance runs (conformance/) and their evidence
(evidence/), the actors started together (runtime/), load runs (load/), the test school
(testschool/) and the trainer's demo (trainer/). docs/architecture.md draws the layers."""
