"""The state: what has been sent, who is suppressed, what was pinged, and the list
(subscribers and their consent records), in SQLite or PostgreSQL behind one interface."""

from ..errors import StateError
from .location import StateLocation, locate
from .lock import StateLocked, send_lock
from .schema import SCHEMA_VERSION
from .store import Delivery, PeriodRow, SendState

__all__ = ["SCHEMA_VERSION", "Delivery", "PeriodRow", "SendState", "StateError",
           "StateLocation", "StateLocked", "locate", "send_lock"]
