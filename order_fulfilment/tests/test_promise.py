from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..tools import promise

ORDER_TIMES = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31))
TIMEZONES = st.sampled_from(["UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York"])
CUTOFFS = st.sampled_from([0.0, 9.5, 12.0, 17.25, 23.75])
WEEKDAYS = st.sets(st.integers(min_value=0, max_value=6), min_size=1)
HOLIDAYS = st.sets(st.dates(min_value=date(2024, 1, 1), max_value=date(2029, 3, 31)), max_size=40)
LEADS = st.integers(min_value=0, max_value=10)


@tagged("post_install", "-at_install")
class TestPromiseProperties(BaseCase):
    """The promise arithmetic on its own, over many calendars, time zones and cut-offs."""

    @settings(deadline=None, max_examples=150)
    @given(ORDER_TIMES, TIMEZONES, CUTOFFS, LEADS, WEEKDAYS, HOLIDAYS)
    def test_never_before_order_and_on_working_day(self, order_dt, tz, cutoff, lead, weekdays, holidays):
        is_working_day = promise.weekday_calendar(weekdays, holidays)
        promised = promise.promise_datetime(order_dt, tz, cutoff, lead, is_working_day)
        self.assertGreaterEqual(promised, order_dt)
        day = promise.promise_day(order_dt, tz, cutoff, lead, is_working_day)
        self.assertTrue(is_working_day(day), f"{day} is not a working day")

    @settings(deadline=None, max_examples=150)
    @given(
        ORDER_TIMES,
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
        TIMEZONES,
        CUTOFFS,
        LEADS,
        WEEKDAYS,
        HOLIDAYS,
    )
    def test_monotone_in_order_time(self, order_dt, later_by, tz, cutoff, lead, weekdays, holidays):
        is_working_day = promise.weekday_calendar(weekdays, holidays)
        first = promise.promise_datetime(order_dt, tz, cutoff, lead, is_working_day)
        second = promise.promise_datetime(order_dt + later_by, tz, cutoff, lead, is_working_day)
        self.assertLessEqual(first, second)

    @settings(deadline=None, max_examples=150)
    @given(ORDER_TIMES, TIMEZONES, CUTOFFS, LEADS, LEADS, WEEKDAYS, HOLIDAYS)
    def test_rush_never_later_than_standard(self, order_dt, tz, cutoff, lead_a, lead_b, weekdays, holidays):
        rush, standard = sorted((lead_a, lead_b))
        is_working_day = promise.weekday_calendar(weekdays, holidays)
        self.assertLessEqual(
            promise.promise_datetime(order_dt, tz, cutoff, rush, is_working_day),
            promise.promise_datetime(order_dt, tz, cutoff, standard, is_working_day),
        )

    def test_examples_without_database(self):
        weekdays = promise.weekday_calendar()
        # Wednesday 18 Nov 2026, Shanghai (UTC+8). 09:00 local is before the 17:15 cut-off.
        before = datetime(2026, 11, 18, 1, 0)
        after = datetime(2026, 11, 18, 9, 30)  # 17:30 local
        self.assertEqual(promise.promise_day(before, "Asia/Shanghai", 17.25, 1, weekdays), date(2026, 11, 19))
        self.assertEqual(promise.promise_day(after, "Asia/Shanghai", 17.25, 1, weekdays), date(2026, 11, 20))
        # The promise is at the cut-off time of the promised day: 17:15 local is 09:15 UTC.
        self.assertEqual(
            promise.promise_datetime(before, "Asia/Shanghai", 17.25, 1, weekdays),
            datetime(2026, 11, 19, 9, 15),
        )
        # Friday after the cut-off: processed Monday, delivered Tuesday.
        friday_evening = datetime(2026, 11, 20, 10, 0)
        self.assertEqual(
            promise.promise_day(friday_evening, "Asia/Shanghai", 17.25, 1, weekdays), date(2026, 11, 24)
        )
        # A calendar without working days is an error, not an endless loop.
        with self.assertRaises(ValueError):
            promise.promise_day(before, "UTC", 17.25, 1, lambda day: False)
        # An unknown time zone falls back to UTC.
        self.assertEqual(promise.promise_day(before, "Mars/Olympus", 17.25, 0, weekdays), date(2026, 11, 18))
