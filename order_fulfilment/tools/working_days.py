"""Working days of a resource calendar, as an "is working day" callable for the promise."""

from datetime import datetime, time, timedelta

import pytz

# Days of calendar read at once; the promise usually needs far fewer.
CHUNK_DAYS = 62


class WorkingDays:
    """``WorkingDays(calendar, tz)(day)`` is True when ``day`` has working time.

    Weekends (days without attendance) and global leaves (public holidays) are
    not working days. Without a calendar, Monday to Friday are. The calendar is
    read lazily, a couple of months at a time, and cached.
    """

    def __init__(self, calendar, tz):
        self.calendar = calendar
        self.tz = pytz.timezone(tz or "UTC") if isinstance(tz, str) or tz is None else tz
        self.cache = {}

    def __call__(self, day):
        if day not in self.cache:
            self._load(day)
        return self.cache[day]

    def _load(self, first_day):
        days = [first_day + timedelta(days=offset) for offset in range(CHUNK_DAYS)]
        if not self.calendar:
            self.cache.update({day: day.weekday() < 5 for day in days})
            return
        start = self.tz.localize(datetime.combine(first_day, time.min))
        stop = self.tz.localize(datetime.combine(days[-1], time.max))
        intervals = self.calendar._work_intervals_batch(start, stop, tz=self.tz)[False]
        working = {interval_start.astimezone(self.tz).date() for interval_start, _stop, _meta in intervals}
        self.cache.update({day: day in working for day in days})
