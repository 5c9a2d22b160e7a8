from . import test_install

# Reviews
from . import test_review
from . import test_review_rpc

# Rush orders and the delivery promise

# Change requests
from . import test_change_request

# After-sales

# Release and delivery controls
