"""What every actor needs and no actor owns: SQLite store, message log, SOAP endpoint and SOAP client."""
