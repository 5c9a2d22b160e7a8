from . import test_install

# Reviews
from . import test_review

# Rush orders and the delivery promise

# Change requests

# After-sales

# Release and delivery controls
