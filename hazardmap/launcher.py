"""Entry point of the console script and the frozen app: window commands go to the Qt face,
everything else to the CLI. Neither face imports the other; this module chooses between them."""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from hazardmap import cli

    def dispatch() -> int:
        args = cli.parse(sys.argv[1:] if argv is None else argv)
        if args.face == "qt":
            from hazardmap.qt.entry import run_window_command

            return run_window_command(args)
        return cli.run(args)

    # Both faces: errors a user causes end in one Chinese line, never a traceback.
    return cli.guarded(dispatch)


if __name__ == "__main__":
    sys.exit(main())
