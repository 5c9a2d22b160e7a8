"""Working days of a company, as an "is working day" callable for the promise."""

from datetime import datetime, time, timedelta

import pytz

# Days of calendar read at once; the promise usually needs far fewer.
CHUNK_DAYS = 62


class WorkingDays:
    """``WorkingDays(company)(day)`` is True when the local ``day`` has working time.

    The working time is the company's own (``res.company._fulfilment_work_intervals``, the same
    as the ticket SLA): weekends (days without attendance) and public holidays are not working
    days, in the company's time zone (``res.company._fulfilment_tz``). Without a calendar,
    Monday to Friday are. The calendar is read lazily, a couple of months at a time, and cached.
    """

    def __init__(self, company):
        self.company = company
        self.tz = company._fulfilment_tz()
        self.cache = {}

    def __call__(self, day):
        if day not in self.cache:
            self._load(day)
        return self.cache[day]

    def _load(self, first_day):
        days = [first_day + timedelta(days=offset) for offset in range(CHUNK_DAYS)]
        start = self.tz.localize(datetime.combine(first_day, time.min)).astimezone(pytz.utc)
        stop = self.tz.localize(datetime.combine(days[-1], time.max)).astimezone(pytz.utc)
        intervals = self.company._fulfilment_work_intervals(
            start.replace(tzinfo=None), stop.replace(tzinfo=None)
        )
        if intervals is None:
            self.cache.update({day: day.weekday() < 5 for day in days})
            return
        working = {pytz.utc.localize(begin).astimezone(self.tz).date() for begin, _end in intervals}
        self.cache.update({day: day in working for day in days})
