"""Delivery promise arithmetic (承诺交期), free of the ORM so it can be property-tested.

All datetimes given and returned are naive UTC, as Odoo stores them.
"""

from datetime import datetime, time, timedelta

import pytz

# A calendar without any working day would loop forever: give up after ten years.
MAX_SEARCH_DAYS = 3660


def cutoff_time(cutoff_hour):
    """The cut-off as a time of day: 17.25 -> 17:15 (clamped to 23:59)."""
    minutes = min(max(round((cutoff_hour or 0.0) * 60), 0), 24 * 60 - 1)
    return time(minutes // 60, minutes % 60)


def next_working_day(day, is_working_day, include_start=True):
    """The first working day from ``day`` on (or after it when ``include_start`` is False)."""
    if not include_start:
        day += timedelta(days=1)
    for _attempt in range(MAX_SEARCH_DAYS):
        if is_working_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError(f"No working day within {MAX_SEARCH_DAYS} days of {day}")


def promise_day(order_dt, tz, cutoff_hour, lead_days, is_working_day):
    """The local date on which the goods are promised.

    Orders taken before the cut-off are processed on the same day when it is a
    working day; later orders (or orders on a non-working day) on the next
    working day. The promise is ``lead_days`` working days after processing.
    """
    tz = _timezone(tz)
    local = pytz.utc.localize(order_dt).astimezone(tz)
    day = local.date()
    include_start = local.time() < cutoff_time(cutoff_hour)
    day = next_working_day(day, is_working_day, include_start=include_start)
    for _lead in range(max(lead_days or 0, 0)):
        day = next_working_day(day, is_working_day, include_start=False)
    return day


def promise_datetime(order_dt, tz, cutoff_hour, lead_days, is_working_day):
    """The promise as a naive UTC datetime: the cut-off time of the promised local day."""
    tz = _timezone(tz)
    day = promise_day(order_dt, tz, cutoff_hour, lead_days, is_working_day)
    local = tz.localize(datetime.combine(day, cutoff_time(cutoff_hour)), is_dst=False)
    promise = tz.normalize(local).astimezone(pytz.utc).replace(tzinfo=None)
    # A daylight-saving jump cannot move the promise before the order itself.
    return max(promise, order_dt)


def weekday_calendar(weekdays=(0, 1, 2, 3, 4), holidays=()):
    """A simple "is working day" callable: working weekdays (Monday = 0) minus holidays."""
    weekdays = frozenset(weekdays)
    holidays = frozenset(holidays)

    def is_working_day(day):
        return day.weekday() in weekdays and day not in holidays

    return is_working_day


def _timezone(tz):
    if isinstance(tz, str) or tz is None:
        try:
            return pytz.timezone(tz or "UTC")
        except pytz.UnknownTimeZoneError:
            return pytz.utc
    return tz
