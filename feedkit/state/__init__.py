"""The state database: what has been sent, who is suppressed, what was pinged, and the
list (subscribers and their consent records)."""

from ..errors import StateError
from .lock import StateLocked, send_lock
from .schema import SCHEMA_VERSION
from .store import Delivery, PeriodRow, SendState

__all__ = ["SCHEMA_VERSION", "Delivery", "PeriodRow", "SendState", "StateError",
           "StateLocked", "send_lock"]
