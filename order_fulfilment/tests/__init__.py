from . import test_install

# Reviews
from . import test_review
from . import test_review_rpc

# Rush orders and the delivery promise

# Change requests

# After-sales
from . import test_fulfilment_ticket
from . import test_fulfilment_ticket_portal

# Release and delivery controls

# Benchmarks
from . import test_bench_guards
