"""Pure SLA arithmetic of after-sales tickets (no ORM, property-tested): deadlines in service
time, the service time a pause takes, the SLA state at a moment, the next moment it can change."""

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
    return add_service_time(start, timedelta(minutes=minutes), intervals)


def add_service_time(start, duration, intervals=None):
    """The moment ``duration`` (a timedelta) of service time has passed since ``start``: see
    ``add_service_minutes``."""
    remaining = duration
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


def service_time(start, stop, intervals=None):
    """The service time (a timedelta) from ``start`` to ``stop``: the wall-clock time when
    ``intervals`` is None, else the working time of the (begin, end) intervals in between.
    Nothing when ``stop`` is not after ``start``."""
    if stop <= start:
        return timedelta()
    if intervals is None:
        return stop - start
    total = timedelta()
    for begin, end in intervals:
        begin, end = max(begin, start), min(end, stop)
        if end > begin:
            total += end - begin
    return total


def shift_deadline(deadline, paused, intervals=None):
    """``deadline`` moved later by ``paused`` (a timedelta) of service time: a pause of that
    length. The service time left from the end of the pause to the new deadline is what was left
    from its start to the old one. Unchanged when nothing was paused; None when the intervals
    hold too little working time after ``deadline``."""
    if paused <= timedelta():
        return deadline
    return add_service_time(deadline, paused, intervals)


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
