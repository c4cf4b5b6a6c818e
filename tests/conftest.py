import sys
from pathlib import Path

# test helper modules (actor_processes, browser_support, ...) import by plain name
sys.path.insert(0, str(Path(__file__).resolve().parent))
