"""The one way the core announces change: every mutating use case returns a Changes record
naming what it touched, and the store publishes it to subscribers (the window refreshes from it)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Changes:
    points: frozenset[int] = frozenset()  # seq numbers whose details/monitor/location changed
    rain_gauges: bool = False
    patrol_points: frozenset[int] = frozenset()  # points whose patrol logs changed

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(self.points | other.points, self.rain_gauges or other.rain_gauges,
                       self.patrol_points | other.patrol_points)

    def __bool__(self) -> bool:
        return bool(self.points or self.rain_gauges or self.patrol_points)


@dataclass
class ChangeBus:
    _subscribers: list[Callable[[Changes], None]] = field(default_factory=list)

    def subscribe(self, callback: Callable[[Changes], None]) -> None:
        self._subscribers.append(callback)

    def unsubscribe(self, callback: Callable[[Changes], None]) -> None:
        if callback in self._subscribers:
            self._subscribers.remove(callback)

    def publish(self, changes: Changes) -> None:
        if changes:
            for callback in list(self._subscribers):
                callback(changes)
