"""Send inferences and labels from Python serving code to a `driftline collect` server."""
from .logger import DriftlineLogger, LoggerStats

__all__ = ["DriftlineLogger", "LoggerStats"]
__version__ = "0.1.0"
