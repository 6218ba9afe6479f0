"""Entry script for the PyInstaller build (build.spec): the same launcher as the console script."""
import sys

from hazardmap.launcher import main

if __name__ == "__main__":
    sys.exit(main())
