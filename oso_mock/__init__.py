"""The mock OSO Traffic Center and its register (schools, systems, mandates, aanleverpunten)."""
