from . import test_install

# Reviews
from . import test_review
from . import test_review_rpc

# Rush orders and the delivery promise

# Change requests

# After-sales

# Release and delivery controls
