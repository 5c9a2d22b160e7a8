from datetime import datetime, timedelta

import pytz
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.order_fulfilment.tools.sla import (
    add_service_minutes,
    evaluate_sla,
    next_sla_check,
)

from .common import FulfilmentCase, delivered_goods, only_in, roster, staff_user

T0 = datetime(2026, 3, 2, 8, 0, 0)  # a Monday


def at(minutes):
    return T0 + timedelta(minutes=minutes)


@tagged("post_install", "-at_install")
class TestSlaArithmetic(FulfilmentCase):
    """The pure deadline arithmetic, with properties."""

    @settings(deadline=None, max_examples=60)
    @given(
        start_minute=st.integers(min_value=0, max_value=60 * 24 * 14),
        minutes=st.integers(min_value=0, max_value=60 * 24 * 3),
        extra=st.integers(min_value=0, max_value=600),
        use_calendar=st.booleans(),
    )
    def test_deadline_properties(self, start_minute, minutes, extra, use_calendar):
        start = T0 + timedelta(minutes=start_minute)
        intervals = None
        if use_calendar:
            # Weekdays 08:00-12:00 and 13:00-17:00 over eight weeks.
            intervals = []
            for day in range(56):
                date = T0 + timedelta(days=day)
                if date.weekday() < 5:
                    intervals.append((date.replace(hour=8), date.replace(hour=12)))
                    intervals.append((date.replace(hour=13), date.replace(hour=17)))
        deadline = add_service_minutes(start, minutes, intervals)
        later = add_service_minutes(start, minutes + extra, intervals)
        self.assertIsNotNone(deadline)
        # Never before the ticket is opened, and more minutes never give an earlier deadline.
        self.assertGreaterEqual(deadline, start)
        self.assertGreaterEqual(later, deadline)
        if intervals is None:
            self.assertEqual(deadline, start + timedelta(minutes=minutes))
        elif minutes:
            # A working-hours deadline falls inside working time.
            self.assertTrue(any(begin < deadline <= end for begin, end in intervals))

    def test_deadline_without_enough_working_time(self):
        intervals = [(at(0), at(30))]
        self.assertIsNone(add_service_minutes(at(0), 60, intervals))
        self.assertEqual(add_service_minutes(at(-10), 20, intervals), at(20))
        with self.assertRaises(ValueError):
            add_service_minutes(at(0), -1)

    def test_evaluate_and_next_check(self):
        events = [(at(48), at(60), False), (at(96), at(120), False)]
        self.assertEqual(evaluate_sla(at(10), events)[0], "on_track")
        self.assertEqual(evaluate_sla(at(50), events)[0], "at_risk")
        self.assertEqual(evaluate_sla(at(60), events), ("breached", [True, False]))
        met = [(at(48), at(60), at(59)), (at(96), at(120), at(119))]
        self.assertEqual(evaluate_sla(at(500), met), ("met", [False, False]))
        late = [(at(48), at(60), at(61)), (at(96), at(120), at(70))]
        self.assertEqual(evaluate_sla(at(80), late), ("breached", [True, False]))
        pending = [event + (False,) for event in events]
        self.assertEqual(next_sla_check(at(0), pending), at(48))
        self.assertEqual(next_sla_check(at(50), pending), at(60))
        escalated_assign = [events[0] + (True,), events[1] + (False,)]
        self.assertEqual(next_sla_check(at(61), escalated_assign), at(96))
        self.assertIsNone(next_sla_check(at(0), [event + (False,) for event in met]))


class TicketCase(FulfilmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        roles = ("agent", "as_manager", "agent_sales", "plain")
        cls.agent, cls.manager, cls.agent_sales, cls.plain_user = roster(cls.env, "of", *roles)
        cls.other_customer = cls.env["res.partner"].create({"name": "Dalian Pipe Co"})
        cls.Ticket = cls.env["fulfilment.ticket"]
        cls.company.aftersales_assign_minutes = 60
        cls.company.aftersales_contact_minutes = 120
        cls.company.fulfilment_sla_use_calendar = False
        # The assign and contact targets only; the resolution target: test_fulfilment_ticket_sla.py.
        cls.env["fulfilment.sla.policy"].search([]).active = False

    @classmethod
    def _delivered_order(cls, qty=5):
        order = cls._create_order([(cls.stocked, qty, 50.0)])
        order.action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        return order, picking

    def _ticket(self, user=None, **vals):
        values = {"partner_id": self.customer.id, "ticket_type": "complaint", "description": "Noisy pump"}
        values.update(vals)
        return self.Ticket.with_user(user or self.agent).create(values)

    def _ticket_assigned_at(self, minutes):
        """A ticket opened at T0, taken by the agent ``minutes`` later."""
        with freeze_time(T0):
            ticket = self._ticket()
        with freeze_time(at(minutes)):
            ticket.with_user(self.agent).action_assign()
        return ticket

    def _run_pass(self, minutes):
        with freeze_time(at(minutes)):
            return self.Ticket._cron_sla_check()


@tagged("post_install", "-at_install")
class TestTicketSla(TicketCase):
    def test_wall_clock_deadlines(self):
        with freeze_time(T0):
            ticket = self._ticket()
        self.assertRegex(ticket.name, r"^AS/2026/\d{5}$")
        self.assertEqual(ticket.state, "new")
        self.assertEqual(ticket.opened_date, T0)
        self.assertEqual(ticket.assign_deadline, at(60))
        self.assertEqual(ticket.contact_deadline, at(120))
        self.assertEqual(ticket.sla_state, "on_track")
        # The next possible change: 20% of the assign time left.
        self.assertEqual(ticket.sla_next_check, at(48))
        self.assertEqual(ticket.next_deadline, at(60))

    def test_sequence_per_company(self):
        other = self.env["res.company"].create({"name": "Second Pump Works"})
        self.env.user.company_ids |= other
        with freeze_time(T0):
            first = self.Ticket.with_company(other).create(
                {"partner_id": self.customer.id, "company_id": other.id}
            )
            second = self.Ticket.with_company(other).create(
                {"partner_id": self.customer.id, "company_id": other.id}
            )
        self.assertEqual(first.name, "AS/2026/00001")
        self.assertEqual(second.name, "AS/2026/00002")

    def test_working_hours_deadlines(self):
        calendar = self.company.resource_calendar_id
        calendar.tz = "UTC"
        self.company.fulfilment_sla_use_calendar = True
        friday_late = datetime(2026, 3, 6, 16, 30)
        with freeze_time(friday_late):
            ticket = self._ticket()
        # 30 minutes on Friday, the rest from Monday 08:00.
        self.assertEqual(ticket.assign_deadline, datetime(2026, 3, 9, 8, 30))
        self.assertEqual(ticket.contact_deadline, datetime(2026, 3, 9, 9, 30))
        # The same as Odoo's own planning in the calendar.
        expected = calendar.plan_hours(1.0, friday_late.replace(tzinfo=None))
        self.assertEqual(ticket.assign_deadline, expected.replace(tzinfo=None))
        # Opened in the lunch break: the clock starts at 13:00.
        with freeze_time(datetime(2026, 3, 3, 12, 15)):
            lunch = self._ticket()
        self.assertEqual(lunch.assign_deadline, datetime(2026, 3, 3, 14, 0))

    def test_pass_transitions_and_single_escalation(self):
        with freeze_time(T0):
            ticket = self._ticket()
        self._run_pass(47)
        self.assertEqual(ticket.sla_state, "on_track")
        self.assertEqual(self._run_pass(49), 1)
        self.assertEqual(ticket.sla_state, "at_risk")
        self.assertEqual(ticket.sla_next_check, at(60))
        # Nothing is due before the deadline: the pass reads no ticket.
        self.assertEqual(self._run_pass(55), 0)
        self._run_pass(61)
        self.assertEqual(ticket.sla_state, "breached")
        self.assertTrue(ticket.assign_escalated)
        self.assertFalse(ticket.contact_escalated)
        activities = ticket.activity_ids.filtered(lambda a: a.user_id == self.manager)
        self.assertEqual(len(activities), 1)
        self.assertIn("assign deadline", activities.summary)
        self.assertTrue(ticket.message_ids.filtered(lambda m: "missed its assign deadline" in (m.body or "")))
        # Running again escalates nothing twice.
        self._run_pass(62)
        self._run_pass(63)
        self.assertEqual(len(ticket.activity_ids.filtered(lambda a: a.user_id == self.manager)), 1)
        # The contact deadline escalates once too.
        self._run_pass(121)
        self.assertTrue(ticket.contact_escalated)
        self._run_pass(125)
        self.assertEqual(len(ticket.activity_ids.filtered(lambda a: a.user_id == self.manager)), 2)
        self.assertFalse(ticket.sla_next_check)
        # Agents never get the escalation.
        self.assertFalse(ticket.activity_ids.filtered(lambda a: a.user_id == self.agent))

    def test_met_on_time(self):
        ticket = self._ticket_assigned_at(10)
        self.assertEqual(ticket.state, "assigned")
        self.assertEqual(ticket.user_id, self.agent)
        self.assertEqual(ticket.assigned_date, at(10))
        self.assertEqual(ticket.sla_next_check, at(96))
        with freeze_time(at(100)):
            ticket.with_user(self.agent).action_contact(note="Called the buyer, sending a technician.")
        self.assertEqual(ticket.sla_state, "met")
        self.assertFalse(ticket.sla_next_check)
        self.assertTrue(ticket.message_ids.filtered(lambda m: "sending a technician" in (m.body or "")))
        self._run_pass(500)
        self.assertEqual(ticket.sla_state, "met")
        self.assertFalse(ticket.activity_ids)

    def test_late_assignment_escalates_once(self):
        ticket = self._ticket_assigned_at(70)
        self.assertEqual(ticket.sla_state, "breached")
        # Escalation is left to the pass, which sees the ticket at once.
        self.assertEqual(ticket.sla_next_check, at(70))
        self._run_pass(71)
        self._run_pass(72)
        self.assertTrue(ticket.assign_escalated)
        self.assertEqual(len(ticket.activity_ids.filtered(lambda a: a.user_id == self.manager)), 1)

    def test_pass_query_count_does_not_grow(self):
        with freeze_time(T0 - timedelta(minutes=1)):
            self.Ticket.with_user(self.agent).create([{"partner_id": self.customer.id} for _i in range(3)])
        with freeze_time(at(47)):
            self.Ticket._cron_sla_check()  # warms the caches
        with freeze_time(T0):
            small = self.Ticket.with_user(self.agent).create(
                [{"partner_id": self.customer.id} for _i in range(5)]
            )
        with freeze_time(T0 + timedelta(minutes=1)):
            large = self.Ticket.with_user(self.agent).create(
                [{"partner_id": self.customer.id} for _i in range(10)]
            )
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        with freeze_time(at(48)):
            done_small = self.Ticket._cron_sla_check()
        queries_small = self.cr.sql_log_count - before
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        with freeze_time(at(49)):
            done_large = self.Ticket._cron_sla_check()
        queries_large = self.cr.sql_log_count - before
        self.assertEqual((done_small, done_large), (5, 10))
        self.assertEqual(set((small | large).mapped("sla_state")), {"at_risk"})
        self.assertEqual(queries_small, queries_large)

    def test_escalation_queries_do_not_grow(self):
        """The escalations of a pass are written in batches: as many queries for 10 breached
        tickets as for 5 (the notes, the activities and the names of their tickets)."""
        with freeze_time(T0 - timedelta(minutes=30)):
            self._ticket()  # breached and escalated first, to warm the caches
        with freeze_time(T0):
            small = self.Ticket.with_user(self.agent).create(
                [{"partner_id": self.customer.id} for _i in range(5)]
            )
        with freeze_time(at(20)):
            large = self.Ticket.with_user(self.agent).create(
                [{"partner_id": self.customer.id} for _i in range(10)]
            )
        self._run_pass(31)
        self._run_pass(49)

        def escalating_pass(minutes):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            done = self._run_pass(minutes)
            self.env.flush_all()
            return done, self.cr.sql_log_count - before

        # Each pass reads only the tickets whose assign deadline has just passed.
        done_small, queries_small = escalating_pass(61)
        self._run_pass(69)
        done_large, queries_large = escalating_pass(81)
        self.assertEqual((done_small, done_large), (5, 10))
        for tickets in (small, large):
            self.assertEqual(set(tickets.mapped("sla_state")), {"breached"})
            self.assertEqual(
                len(tickets.activity_ids.filtered(lambda a: a.user_id == self.manager)), len(tickets)
            )
        self.assertEqual(queries_small, queries_large)

    def test_escalation_to_company_managers_in_their_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        manager = "order_fulfilment.group_aftersales_manager"
        zh_manager = staff_user(self.env, "of_as_manager_zh", manager, name="Wang Manager", lang="zh_CN")
        other = self.env["res.company"].create({"name": "Second Pump Works"})
        elsewhere = staff_user(
            self.env, "of_as_manager_other", manager, name="Olga Elsewhere", **only_in(other)
        )
        with freeze_time(T0):
            ticket = self._ticket()
        self._run_pass(61)
        escalation = self.env.ref("order_fulfilment.mail_activity_type_ticket_escalation")
        activities = ticket.activity_ids.filtered(lambda a: a.activity_type_id == escalation)
        by_user = {activity.user_id: activity for activity in activities}
        self.assertIn(self.manager, by_user)
        self.assertIn(zh_manager, by_user)
        self.assertNotIn(elsewhere, by_user, "managers of another company are not told")
        self.assertEqual(len(activities), len(by_user), "one activity for each manager")
        self.assertEqual(by_user[self.manager].summary, "SLA breached: assign deadline")
        self.assertEqual(by_user[zh_manager].summary, "服务时限已超时：分派时限")
        self.assertIn(f"工单 {ticket.name}（{self.customer.name}）已超过分派时限。", by_user[zh_manager].note)
        self.assertEqual(by_user[zh_manager].res_name, ticket.name)
        self.assertIn(
            f"Ticket {ticket.name} ({self.customer.name}) missed its assign deadline.",
            by_user[self.manager].note,
        )
        # One note on the ticket, in the company's language (automation writes it), for no one.
        notes = ticket.message_ids.filtered(lambda m: "missed its assign deadline" in (m.body or ""))
        self.assertEqual(len(notes), 1)
        self.assertFalse(notes.notification_ids)

    def test_cron_is_scheduled(self):
        cron = self.env.ref("order_fulfilment.ir_cron_fulfilment_ticket_sla")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (5, "minutes"))
        self.assertIn("SLA check", cron.name)


@tagged("post_install", "-at_install")
class TestTicketSlaHolidays(TicketCase):
    """Working-hours deadlines skip the public holidays of the company calendar."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.company.resource_calendar_id
        cls.company.fulfilment_sla_use_calendar = True
        cls.Leaves = cls.env["resource.calendar.leaves"]

    def _holiday(self, date_from, date_to, calendar=None, name="Public holiday"):
        calendar = self.calendar if calendar is None else calendar
        return self.Leaves.create(
            {"name": name, "calendar_id": calendar.id, "date_from": date_from, "date_to": date_to}
        )

    def _work_hours(self, start, stop):
        """Calendar hours (holidays included) from ``start`` to ``stop``, naive UTC."""
        return self.calendar.get_work_hours_count(
            pytz.utc.localize(start), pytz.utc.localize(stop), compute_leaves=False
        )

    @settings(deadline=None, max_examples=30)
    @given(
        tz=st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York"]),
        start_minute=st.integers(min_value=0, max_value=60 * 24 * 14),
        minutes=st.integers(min_value=1, max_value=60 * 8 * 3),
        holiday_at=st.integers(min_value=0, max_value=1000),
        holiday_length=st.integers(min_value=1, max_value=1000),
    )
    def test_holiday_moves_deadline_by_its_working_hours(
        self, tz, start_minute, minutes, holiday_at, holiday_length
    ):
        self.calendar.tz = tz
        self.company.aftersales_assign_minutes = minutes
        opened = T0 + timedelta(minutes=start_minute)
        with freeze_time(opened):
            before = self._ticket().assign_deadline
        # A public holiday somewhere between the opening and that deadline (whole minutes).
        span = int((before - opened).total_seconds()) // 60
        offset = span * holiday_at // 1001
        holiday_from = opened + timedelta(minutes=offset)
        holiday_to = holiday_from + timedelta(minutes=max(1, (span - offset) * holiday_length // 1000))
        holiday = self._holiday(holiday_from, holiday_to)
        try:
            with freeze_time(opened):
                after = self._ticket().assign_deadline
        finally:
            holiday.unlink()
        holiday_hours = self._work_hours(holiday_from, holiday_to)
        # Later by exactly the working hours the holiday takes out, and never inside it.
        self.assertGreaterEqual(after, before)
        self.assertAlmostEqual(self._work_hours(before, after) * 60, holiday_hours * 60, places=6)
        self.assertFalse(holiday_hours and after <= holiday_to)

    def test_public_holiday_examples(self):
        # The calendar's time zone counts, whatever the company's address says.
        self.company.partner_id.tz = "Europe/Berlin"
        self.calendar.tz = "Asia/Shanghai"
        # Monday 9 March 2026 is a public holiday in Shanghai (00:00 to 23:59:59 local).
        self._holiday(datetime(2026, 3, 8, 16, 0), datetime(2026, 3, 9, 15, 59, 59))
        friday_late = datetime(2026, 3, 6, 8, 30)  # Friday 16:30 in Shanghai
        with freeze_time(friday_late):
            ticket = self._ticket()
        # 30 minutes on Friday, none on the holiday: Tuesday 08:30 and 09:30 in Shanghai.
        self.assertEqual(ticket.assign_deadline, datetime(2026, 3, 10, 0, 30))
        self.assertEqual(ticket.contact_deadline, datetime(2026, 3, 10, 1, 30))
        self.assertEqual(ticket.assign_warning_date, datetime(2026, 3, 10, 0, 18))
        # The same as Odoo's own planning with the holidays.
        expected = self.calendar.plan_hours(1.0, friday_late, compute_leaves=True)
        self.assertEqual(ticket.assign_deadline, expected)
        # Another company's holiday on Tuesday, set for no calendar in particular, is not ours...
        other = self.env["res.company"].create({"name": "Second Pump Works"})
        self.env.user.company_ids |= other
        theirs = self.Leaves.with_company(other).create(
            {
                "name": "Their holiday",
                "date_from": datetime(2026, 3, 9, 16, 0),
                "date_to": datetime(2026, 3, 10, 15, 59),
            }
        )
        # Saved as that company's user would (its company is computed from the saving user's).
        theirs.flush_recordset()
        theirs.invalidate_recordset()
        self.assertEqual(theirs.company_id, other)
        with freeze_time(friday_late):
            self.assertEqual(self._ticket().assign_deadline, datetime(2026, 3, 10, 0, 30))
        # ... but the same holiday of our company is: Wednesday 08:30.
        ours = self.Leaves.create(
            {
                "name": "Our holiday",
                "date_from": datetime(2026, 3, 9, 16, 0),
                "date_to": datetime(2026, 3, 10, 15, 59),
            }
        )
        self.assertEqual(ours.company_id, self.company)
        self.assertFalse(ours.calendar_id)
        with freeze_time(friday_late):
            self.assertEqual(self._ticket().assign_deadline, datetime(2026, 3, 11, 0, 30))
        # The wall clock is unchanged when the SLA counts every hour.
        self.company.fulfilment_sla_use_calendar = False
        with freeze_time(friday_late):
            self.assertEqual(self._ticket().assign_deadline, friday_late + timedelta(hours=1))

    def test_holidays_read_once_per_company(self):
        self.calendar.tz = "UTC"
        self._holiday(datetime(2026, 3, 9, 0, 0), datetime(2026, 3, 9, 23, 59))

        def deadline_queries(count):
            with freeze_time(datetime(2026, 3, 6, 16, 30)):
                tickets = self.Ticket.with_user(self.agent).create(
                    [{"partner_id": self.customer.id} for _i in range(count)]
                )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            tickets._set_deadlines()
            self.env.flush_all()
            queries = self.cr.sql_log_count - before
            # Friday 16:30 UTC: 30 minutes on Friday, none on the holiday Monday.
            self.assertEqual(set(tickets.mapped("assign_deadline")), {datetime(2026, 3, 10, 8, 30)})
            return queries

        deadline_queries(1)  # warms the caches
        self.assertEqual(deadline_queries(2), deadline_queries(12))


@tagged("post_install", "-at_install")
class TestTicketRules(TicketCase):
    def test_protected_fields(self):
        ticket = self._ticket()
        for vals in (
            {"state": "closed"},
            {"sla_state": "met"},
            {"assign_deadline": "2030-01-01 00:00:00"},
            {"assign_escalated": True},
        ):
            with self.assertRaisesRegex(UserError, "set by the ticket's actions"):
                ticket.with_user(self.agent).write(vals)
        with self.assertRaisesRegex(UserError, "set by the ticket's actions"):
            self._ticket(state="resolved")
        # Context defaults open no way around it.
        sneaky = (
            self.Ticket.with_user(self.agent)
            .with_context(default_state="closed", default_sla_state="met", default_assign_escalated=True)
            .create({"partner_id": self.customer.id})
        )
        self.assertEqual(
            (sneaky.state, sneaky.sla_state, sneaky.assign_escalated), ("new", "on_track", False)
        )

    def test_state_transitions(self):
        ticket = self._ticket()
        agent_ticket = ticket.with_user(self.agent)
        with self.assertRaisesRegex(UserError, "cannot be closed"):
            agent_ticket.action_close()
        with self.assertRaisesRegex(UserError, "cannot be contacted"):
            agent_ticket.action_contact()
        agent_ticket.action_assign()
        with self.assertRaisesRegex(UserError, "choose a resolution"):
            agent_ticket.action_resolve()
        agent_ticket.resolution = "repair"
        with self.assertRaisesRegex(UserError, "record the contact"):
            agent_ticket.action_resolve()
        agent_ticket.action_start()
        self.assertEqual(ticket.state, "in_progress")
        agent_ticket.action_contact()
        agent_ticket.action_resolve()
        self.assertEqual(ticket.state, "resolved")
        with self.assertRaisesRegex(UserError, "from 1 to 5"):
            agent_ticket.action_close(satisfaction=9)
        agent_ticket.action_close(satisfaction=4)
        self.assertEqual((ticket.state, ticket.satisfaction), ("closed", "4"))
        self.assertTrue(ticket.closed_date)
        with self.assertRaisesRegex(UserError, "is Closed"):
            agent_ticket.action_assign()
        cancelled = self._ticket()
        cancelled.with_user(self.agent).action_cancel()
        with self.assertRaisesRegex(UserError, "is Cancelled"):
            cancelled.with_user(self.agent).action_create_replacement()
        with self.assertRaisesRegex(UserError, "not an after-sales agent"):
            self._ticket().with_user(self.agent).action_assign(user_id=self.plain_user.id)

    def test_assign_to_colleague_and_double_click(self):
        ticket = self._ticket()
        colleague = new_test_user(
            self.env, login="of_agent2", groups="order_fulfilment.group_aftersales_user", name="Bob Agent"
        )
        with freeze_time(T0):
            ticket.with_user(self.agent).action_assign(user_id=colleague.id)
        with freeze_time(at(5)):
            ticket.with_user(self.agent).action_assign(user_id=colleague.id)
        self.assertEqual(ticket.user_id, colleague)
        self.assertEqual(ticket.assigned_date, T0)

    def test_consistency_checks(self):
        order = self._create_order([(self.stocked, 2, 50.0)])
        order.action_confirm()
        picking = order.picking_ids
        other_order = self._create_order([(self.stocked, 1, 50.0)], partner=self.other_customer)
        other_order.action_confirm()
        with self.assertRaisesRegex(ValidationError, r"AS/\d{4}/\d{5}: order .* belongs to Dalian Pipe Co"):
            self._ticket(order_id=other_order.id)
        with self.assertRaisesRegex(ValidationError, "does not belong to order"):
            own_order = self._create_order([(self.stocked, 1, 50.0)])
            own_order.action_confirm()
            self._ticket(order_id=own_order.id, picking_id=picking.id)
        with self.assertRaisesRegex(ValidationError, "was not on"):
            self._ticket(order_id=order.id, product_id=self.pump.id)
        lot_product = self.env["product.product"].create(
            {"name": "Serial pump", "is_storable": True, "tracking": "serial"}
        )
        lot = self.env["stock.lot"].create({"name": "SN-001", "product_id": lot_product.id})
        with self.assertRaisesRegex(ValidationError, "lot SN-001 is a lot of Serial pump"):
            self._ticket(product_id=self.stocked.id, lot_id=lot.id)
        # A delivery alone brings its order; the lot alone brings its product.
        ticket = self._ticket(picking_id=picking.id, product_id=self.stocked.id)
        self.assertEqual(ticket.order_id, order)
        self.assertEqual(self._ticket(lot_id=lot.id).product_id, lot_product)
        # Any change later is checked too.
        with self.assertRaisesRegex(ValidationError, "was not on"):
            ticket.with_user(self.agent).product_id = self.pump

    def test_form_from_order(self):
        order = self._create_order([(self.stocked, 2, 50.0)])
        order.action_confirm()
        action = order.with_user(self.agent_sales).action_view_fulfilment_tickets()
        form = Form(self.Ticket.with_user(self.agent_sales).with_context(**action["context"]))
        form.ticket_type = "return"
        form.product_id = self.stocked
        ticket = form.save()
        self.assertEqual((ticket.partner_id, ticket.order_id), (self.customer, order))
        self.assertEqual(order.fulfilment_ticket_count, 1)
        self.assertEqual(order.ticket_ids, ticket)
        self.assertEqual(self.customer.with_user(self.agent_sales).fulfilment_ticket_count, 1)
        self.assertEqual(order.picking_ids.with_user(self.agent_sales).fulfilment_ticket_count, 0)

    def test_access_rights(self):
        own = self._create_order([(self.stocked, 1, 50.0)])
        other_salesman = new_test_user(
            self.env, login="of_salesman2", groups="sales_team.group_sale_salesman", name="Other Sales"
        )
        foreign = self._create_order([(self.stocked, 1, 50.0)], user=other_salesman)
        own_ticket = self._ticket(order_id=own.id)
        foreign_ticket = self._ticket(order_id=foreign.id)
        visible = self.Ticket.with_user(self.salesman).search(
            [("id", "in", (own_ticket | foreign_ticket).ids)]
        )
        self.assertEqual(visible, own_ticket)
        with self.assertRaises(AccessError):
            own_ticket.with_user(self.salesman).description = "changed"
        with self.assertRaises(AccessError):
            self.Ticket.with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            own_ticket.with_user(self.agent).unlink()
        with self.assertRaisesRegex(UserError, "Only after-sales agents"):
            own_ticket.with_user(self.salesman).action_assign()
        own_ticket.with_user(self.manager).unlink()
        self.assertFalse(own_ticket.exists())

    def test_contact_wizard_posts_note(self):
        ticket = self._ticket()
        ticket.with_user(self.agent).action_assign()
        self._confirm_wizard(
            "fulfilment.ticket.contact",
            self.agent,
            {"note": "Spoke to the buyer; a technician visits on Monday."},
            default_ticket_id=ticket.id,
        )
        self.assertTrue(ticket.first_contact_date)
        self.assertTrue(
            ticket.message_ids.filtered(lambda m: "technician visits on Monday" in (m.body or ""))
        )
        # A second call keeps the first contact time and only adds the note.
        first = ticket.first_contact_date
        ticket.with_user(self.agent).action_contact(note="Called again.")
        self.assertEqual(ticket.first_contact_date, first)

    def test_damage_records_carrier(self):
        ticket = self._ticket(
            ticket_type="damage", carrier_name="Northern Freight", carrier_claim_ref="NF-0412"
        )
        self.assertEqual((ticket.carrier_name, ticket.carrier_claim_ref), ("Northern Freight", "NF-0412"))


@tagged("post_install", "-at_install")
class TestTicketResolution(TicketCase):
    def test_return_of_delivered_goods(self):
        order, picking = self._delivered_order(qty=5)
        self.assertEqual(picking.state, "done")
        ticket = self._ticket(
            **delivered_goods(order, picking, self.stocked, ticket_type="return", quantity=2)
        )
        action = ticket.with_user(self.agent).action_create_return()
        returned = self.env["stock.picking"].browse(ticket.return_picking_ids.ids)
        self.assertEqual(len(returned), 1)
        self.assertEqual(action["res_model"], "stock.picking")
        self.assertEqual(action["res_id"], returned.id)
        self.assertEqual(returned.return_id, picking)
        self.assertEqual(returned.move_ids.product_id, self.stocked)
        self.assertEqual(returned.move_ids.product_uom_qty, 2)
        self.assertEqual(returned.location_id, picking.location_dest_id)
        # A double click does not create a second return.
        with self.assertRaisesRegex(UserError, "already has the open return"):
            ticket.with_user(self.agent).action_create_return()
        # Once received, the rest (3) comes back with an empty quantity.
        returned.move_ids.quantity = 2
        returned.move_ids.picked = True
        returned.button_validate()
        rest = self._ticket(**delivered_goods(order, picking, self.stocked, ticket_type="return"))
        rest.with_user(self.agent).action_create_return()
        self.assertEqual(rest.return_picking_ids.move_ids.product_uom_qty, 3)
        too_many = self._ticket(
            ticket_type="return", picking_id=picking.id, product_id=self.stocked.id, quantity=10
        )
        with self.assertRaisesRegex(UserError, "cannot come back"):
            too_many.with_user(self.agent).action_create_return()

    def test_return_needs_done_delivery(self):
        order = self._create_order([(self.stocked, 2, 50.0)])
        order.action_confirm()
        ticket = self._ticket(picking_id=order.picking_ids.id, product_id=self.stocked.id)
        with self.assertRaisesRegex(UserError, "is not done yet"):
            ticket.with_user(self.agent).action_create_return()
        self.assertFalse(ticket.return_picking_ids)

    def test_replacement_order(self):
        order, picking = self._delivered_order(qty=3)
        ticket = self._ticket(
            **delivered_goods(order, picking, self.stocked, ticket_type="exchange", quantity=2)
        )
        # The flange kit has no warranty (no warranty months), delivered or not: the replacement at
        # zero price is signed off first.
        self.assertFalse(ticket.in_warranty)
        ticket.with_user(self.agent).action_request_review()
        ticket.with_user(self.manager).action_review_approve()
        action = ticket.with_user(self.agent).action_create_replacement()
        # Read as the sales team: the agent has no sales rights.
        replacement = ticket.sudo().replacement_order_id
        self.assertEqual(action["res_id"], replacement.id)
        self.assertEqual(replacement.partner_id, self.customer)
        self.assertEqual(replacement.order_line.product_id, self.stocked)
        self.assertEqual(replacement.order_line.product_uom_qty, 2)
        self.assertEqual(replacement.amount_total, 0.0)
        self.assertEqual(replacement.fulfilment_replacement_ticket_id, ticket)
        self.assertEqual(replacement.origin, ticket.name)
        with self.assertRaisesRegex(UserError, "already has the replacement order"):
            ticket.with_user(self.agent).action_create_replacement()

    def test_service_form_report(self):
        with freeze_time(T0):
            ticket = self._ticket(description="Impeller cracked on arrival")
        with freeze_time(at(10)):
            ticket.action_assign(user_id=self.agent.id)
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "order_fulfilment.fulfilment_ticket_report_action", ticket.ids
        )
        html = html.decode()
        self.assertIn(ticket.name, html)
        self.assertIn("Impeller cracked on arrival", html)
        self.assertIn("Customer contacted", html)
        self.assertIn("Customer signature", html)
        self.assertIn("Alice Agent", html)
        self.assertIn("Harbin Water Works", html)
