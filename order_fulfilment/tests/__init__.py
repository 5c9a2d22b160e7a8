from . import test_install

# Reviews
from . import test_review
from . import test_review_rpc
from . import test_review_access
from . import test_review_inbox
from . import test_review_engine
from . import test_review_reconcile
from . import test_review_delegation
from . import test_review_reminder
from . import test_review_decision_mail
from . import test_review_decision_link

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
from . import test_fulfilment_ticket_sla
from . import test_fulfilment_ticket_repair
from . import test_fulfilment_ticket_warranty

# Release and delivery controls
from . import test_controls
from . import test_finance_release

# Fulfilment analysis
from . import test_analysis

# Benchmarks
from . import test_bench_guards

# Translations
from . import test_i18n
from . import test_reader_language

# Reports
from . import test_reports

# Browser tours
from . import test_tours
from . import test_tours_inbox
from . import test_tours_finance

# Users without an e-mail address
from . import test_no_email

# Security and bad input
from . import test_security_rpc
from . import test_bad_input
from . import test_model_rules_rpc

# Reliability (tagged -standard: runs alone on its own database, tools/dev.sh concurrency)
from . import test_concurrency
from . import test_review_reminder_concurrency

# What the screens show
from . import test_screens

# Quality inspection
from . import test_quality
from . import test_quality_rpc
from . import test_order_completion
from . import test_quality_screens
from . import test_tours_quality

# After-sales by e-mail, customer messages and satisfaction
from . import test_fulfilment_ticket_mail
from . import test_fulfilment_ticket_rating
