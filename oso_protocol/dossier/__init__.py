from .builder import build_dossier
