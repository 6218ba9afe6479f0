"""Small pieces of SQL text the repositories build the same way."""
from __future__ import annotations

from typing import Any


def conditions(*pairs: tuple[str, Any], always: tuple[str, ...] = ()) -> tuple[str, list[Any]]:
    """(" WHERE a AND b", [values]) from (condition with one ?, value) pairs, leaving out those whose value
    is None; `always` are conditions without a value. ("", []) when nothing is left."""
    where, args = list(always), []
    for condition, value in pairs:
        if value is not None:
            where.append(condition)
            args.append(value)
    return (" WHERE " + " AND ".join(where) if where else ""), args
