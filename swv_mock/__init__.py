"""The mock SWV system (Doelsysteem): receives notificaties, fetches and checks dossiers, sends terugkoppelingen."""
