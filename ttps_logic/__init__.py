"""ttps_logic: the deterministic, dated and citing eligibility engine for Hong Kong's Top Talent
Pass Scheme. ``assess(facts) -> Assessment``; ``localize(assessment, lang) -> Assessment`` (en, zh-Hans,
zh-Hant); ``explain(assessment, lang) -> str``. No Rasa import."""
__version__ = "0.1.0"

from .engine import InputError, assess  # noqa: E402
from .models import Assessment, Facts  # noqa: E402
from .render import explain, localize  # noqa: E402

__all__ = ["assess", "explain", "localize", "Assessment", "Facts", "InputError", "__version__"]
