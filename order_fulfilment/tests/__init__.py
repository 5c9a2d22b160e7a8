from . import test_install

# Reviews

# Rush orders and the delivery promise
from . import test_promise
from . import test_rush
from . import test_rush_perf

# Change requests

# After-sales

# Release and delivery controls
