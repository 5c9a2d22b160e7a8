"""Summarise an Odoo test log as a pytest-style line.

test_summary.py LOG SECONDS [--failures]   prints the failed tests and the summary line;
                                           exits 1 on any failure or error
test_summary.py --compare BASE_LOG ADDON_LOG
                                           exits 1 when ADDON_LOG has failures BASE_LOG has not
"""

import re
import sys

REPORT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
FAIL = re.compile(r" (?:ERROR|CRITICAL) \S+ odoo\.addons\.(\S+?): (FAIL|ERROR): (\S+)")
SKIP = re.compile(r" INFO \S+ odoo\.addons\.\S+: skipped ")
LOGGED_ERROR = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")
HEADER = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ ")


def parse(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.readlines()
    except FileNotFoundError:
        lines = []
    report = None
    failed_tests = []
    reasons = {}  # failed test -> the end of its traceback (the assertion's message)
    skipped = 0
    other_errors = []
    current = None
    for line in lines:
        if current and not HEADER.match(line):
            if line.strip():
                reasons[current].append(line.rstrip())
            continue
        current = None
        match = REPORT.search(line)
        if match:
            report = tuple(int(x) for x in match.groups())
            continue
        match = FAIL.search(line)
        if match:
            current = f"{match.group(2)} {match.group(3)}"
            failed_tests.append(current)
            reasons[current] = []
            continue
        if SKIP.search(line):
            skipped += 1
        elif LOGGED_ERROR.search(line):
            other_errors.append(line.strip())
    return report, failed_tests, skipped, other_errors, reasons


def main(argv):
    if argv[:1] == ["--compare"]:
        base = set(parse(argv[1])[1])
        addon = set(parse(argv[2])[1])
        new = sorted(addon - base)
        print(f"Odoo's own tests: {len(base)} failing on stock Odoo, {len(addon)} with the addon")
        for name in new:
            print(f"  NEW FAILURE with the addon: {name}")
        return 1 if new else 0
    path, seconds = argv[0], float(argv[1])
    report, failed_tests, skipped, other_errors, reasons = parse(path)
    for name in failed_tests:
        print(f"FAILED {name}")
        # The end of the traceback says why, in CI's output too (the log stays on the machine).
        for line in reasons[name][-4:]:
            print(f"    {line[:500]}")
    if report is None:
        print("The test run did not finish (no test report in the log); its last errors:")
        for line in other_errors[-10:]:
            print(f"  {line[:300]}")
        print(f"0 passed, 1 failed, {skipped} skipped in {seconds:.0f}s")
        return 1
    failures, errors, total = report
    bad = failures + errors
    # Errors logged outside any test (install, data files) fail the run too.
    extra = 0 if bad else len(other_errors)
    for line in other_errors[:10] if extra else []:
        print(f"ERROR logged: {line[:300]}")
    passed = total - bad - skipped
    print(f"{passed} passed, {bad + extra} failed, {skipped} skipped in {seconds:.0f}s")
    return 1 if bad or extra else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
