"""The conformance scenarios (Gherkin) and their step definitions; installed as the package
`oso_sim_features`, located at run time through harness.runtime.resources."""
