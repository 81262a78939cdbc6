"""ttps_logic: the deterministic, dated and citing eligibility engine for Hong Kong's Top Talent
Pass Scheme. ``assess(facts) -> Assessment``; ``explain(assessment) -> str``. No Rasa import."""
__version__ = "0.1.0"

from .engine import InputError, assess  # noqa: E402
from .models import Assessment, Facts  # noqa: E402
from .render import explain  # noqa: E402

__all__ = ["assess", "explain", "Assessment", "Facts", "InputError", "__version__"]
