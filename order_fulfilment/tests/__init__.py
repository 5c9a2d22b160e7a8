from . import test_install

# Reviews
from . import test_review
from . import test_review_rpc
from . import test_review_access

# Rush orders and the delivery promise
from . import test_promise
from . import test_rush
from . import test_rush_perf
from . import test_feasible

# Change requests
from . import test_change_request

# After-sales
from . import test_fulfilment_ticket
from . import test_fulfilment_ticket_portal

# Release and delivery controls
from . import test_controls

# Fulfilment analysis
from . import test_analysis

# Benchmarks
from . import test_bench_guards

# Translations
from . import test_i18n

# Reports
from . import test_reports

# Browser tours
from . import test_tours

# Security and bad input
from . import test_security_rpc
from . import test_bad_input

# Reliability (tagged -standard: runs alone on its own database, tools/dev.sh concurrency)
from . import test_concurrency
