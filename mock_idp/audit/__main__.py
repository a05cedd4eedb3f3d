"""`python -m mock_idp.audit …`: `mock-entra audit` where the console script is not installed."""

import sys

from mock_idp.audit.cli import main

sys.exit(main())
