import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))   # `stores`, `channels`, and clusterlib next to this file
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
