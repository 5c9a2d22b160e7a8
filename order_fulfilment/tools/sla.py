"""Pure SLA arithmetic of after-sales tickets (no ORM, property-tested): deadlines in service
time, the SLA state at a moment, the next moment it can change."""

from datetime import timedelta

# A ticket is "at risk" once less than this share of its time is left.
AT_RISK_SHARE = 0.2


def add_service_minutes(start, minutes, intervals=None):
    """The moment ``minutes`` of service time have passed since ``start``.

    ``intervals`` is None for wall-clock time, or the sorted, non-overlapping
    (begin, end) working intervals to count in. Returns None when the
    intervals hold less working time than needed after ``start``.
    """
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    remaining = timedelta(minutes=minutes)
    if intervals is None:
        return start + remaining
    for begin, end in intervals:
        if end <= start:
            continue
        begin = max(begin, start)
        span = end - begin
        if remaining <= span:
            return begin + remaining
        remaining -= span
    return None


def evaluate_sla(now, events):
    """The SLA state of a ticket and the deadlines breached.

    ``events`` is a list of (warning, deadline, done_date) per deadline,
    ``done_date`` being False while the event has not happened.
    Returns (sla_state, [breached flag per event]).
    """
    breached = []
    at_risk = False
    for warning, deadline, done in events:
        if done:
            breached.append(done > deadline)
        else:
            breached.append(now >= deadline)
            at_risk = at_risk or now >= warning
    if any(breached):
        return "breached", breached
    if all(done for _warning, _deadline, done in events):
        return "met", breached
    return ("at_risk" if at_risk else "on_track"), breached


def next_sla_check(checked_at, events):
    """The next moment after ``checked_at`` at which the SLA can change.

    ``events`` is a list of (warning, deadline, done_date, escalated).
    A breach still to escalate asks for a check at once (``checked_at``).
    Returns None when nothing can change any more.
    """
    candidates = []
    for warning, deadline, done, escalated in events:
        if escalated:
            continue
        if done:
            if done > deadline:
                candidates.append(checked_at)
            continue
        if warning > checked_at:
            candidates.append(warning)
        elif deadline > checked_at:
            candidates.append(deadline)
        else:
            candidates.append(checked_at)
    return min(candidates) if candidates else None
