from . import test_install

# Reviews

# Rush orders and the delivery promise

# Change requests

# After-sales

# Release and delivery controls
from . import test_controls
