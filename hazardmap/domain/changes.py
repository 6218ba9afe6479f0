"""The one way the core announces change: every mutating use case returns a Changes record
naming what it touched; whoever ran the step publishes it once through the store's bus (in the window
the operation runner does, after the step and after each undo/redo; views refresh from it).

A Changes record may also carry its undo: a callable that performs the inverse step (through the
same services, so it is checked and recorded like any edit) and returns that step's own Changes,
whose undo re-applies the original. Undo and redo therefore alternate for as long as they succeed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Changes:
    points: frozenset[int] = frozenset()  # seq numbers whose details/monitor/location changed
    rain_gauges: bool = False
    patrol_points: frozenset[int] = frozenset()  # points whose patrol logs changed
    fund: bool = False  # the year's programme: plan, spending, works, 三查, subsidies
    rain: bool = False  # rain readings, thresholds, coverage or rain settings changed
    reference_layers: bool = False               # a reference layer was added, removed, shown or hidden
    # Not part of what changed (compare=False): how to take the step back, and its name in Chinese
    # for the 编辑 menu (撤销“label”).
    undo: Callable[[], "Changes"] | None = field(default=None, compare=False, repr=False)
    label: str = field(default="", compare=False)

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(self.points | other.points, self.rain_gauges or other.rain_gauges,
                       self.patrol_points | other.patrol_points, self.fund or other.fund,
                       self.rain or other.rain,
                       reference_layers=self.reference_layers or other.reference_layers,
                       undo=_then(other.undo, self.undo), label=_join(self.label, other.label))

    def __bool__(self) -> bool:
        return bool(self.points or self.rain_gauges or self.patrol_points or self.fund or self.rain
                    or self.reference_layers)


def _then(first: Callable[[], Changes] | None, second: Callable[[], Changes] | None
          ) -> Callable[[], Changes] | None:
    """Undo of a | b: b's undo, then a's (the reverse order of doing them)."""
    if first is None or second is None:
        return first or second

    def both() -> Changes:
        return first() | second()
    return both


def _join(a: str, b: str) -> str:
    return "；".join(x for x in dict.fromkeys((a, b)) if x)


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
