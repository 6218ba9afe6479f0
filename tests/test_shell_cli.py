"""The CLI parser is built again for every in-process run (tests, the launcher): each build must
carry its own shared command groups (export/import), whatever ids Python hands out."""
from __future__ import annotations

import gc

from hazardmap import cli


def _choices(parser) -> dict:
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return action.choices


def test_every_parser_build_has_its_own_export_group():
    # Parsers are reference cycles: collected, their ids come back for the next build. An id-keyed
    # cache of groups then handed the new parser a dead one's group (a flaky failure seen in CI).
    for _ in range(30):
        parser = cli.build_parser()
        top = _choices(parser)
        assert "export" in top and "map-html" in top
        assert _choices(top["export"]), "export group has no subcommands"
        del parser, top
        gc.collect()
