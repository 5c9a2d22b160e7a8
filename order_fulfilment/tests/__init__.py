from . import test_install

# Reviews

# Rush orders and the delivery promise

# Change requests

# After-sales

# Release and delivery controls

# Benchmarks
from . import test_bench_guards
