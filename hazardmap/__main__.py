import sys

from hazardmap.launcher import main

sys.exit(main())
