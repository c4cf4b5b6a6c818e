"""The OSO standard as code: the aanvraag SWV-dossier and the OSO transport messages.

Pure logic only: no servers, no database, no network.
"""
