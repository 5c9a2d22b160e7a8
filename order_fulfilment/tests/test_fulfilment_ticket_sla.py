"""Fair clocks of after-sales tickets: waiting for the customer stops the SLA clock, the
resolution target per type and priority, public holidays, the SLA state over the three targets."""

from datetime import datetime, timedelta

from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.order_fulfilment.tools.sla import (
    add_service_minutes,
    add_service_time,
    evaluate_sla,
    next_sla_check,
    service_time,
    shift_deadline,
)

from .common import FulfilmentCase, JsonRpcMixin, RpcError, staff_user
from .test_fulfilment_ticket import T0, TicketCase, at

FRIDAY = datetime(2026, 3, 6)  # before the public holiday of Monday 9 March in these tests
MONDAY_HOLIDAY = datetime(2026, 3, 9)


def weekday_intervals(first, days):
    """Weekdays 08:00-12:00 and 13:00-17:00 from the day of ``first``."""
    intervals = []
    for day in range(days):
        date = first.replace(hour=0, minute=0) + timedelta(days=day)
        if date.weekday() < 5:
            intervals.append((date.replace(hour=8), date.replace(hour=12)))
            intervals.append((date.replace(hour=13), date.replace(hour=17)))
    return intervals


@tagged("post_install", "-at_install")
class TestSlaPauseArithmetic(FulfilmentCase):
    """The pause arithmetic of tools/sla.py, with properties."""

    @settings(deadline=None, max_examples=80)
    @given(
        use_calendar=st.booleans(),
        deadline_minute=st.integers(min_value=0, max_value=60 * 24 * 10),
        pause_start=st.integers(min_value=0, max_value=60 * 24 * 10),
        pause_length=st.integers(min_value=0, max_value=60 * 24 * 5),
    )
    def test_pause_keeps_the_time_left(self, use_calendar, deadline_minute, pause_start, pause_length):
        intervals = weekday_intervals(T0, 70) if use_calendar else None
        deadline = T0 + timedelta(minutes=deadline_minute)
        since = T0 + timedelta(minutes=pause_start)
        until = since + timedelta(minutes=pause_length)
        paused = service_time(since, until, intervals)
        moved = shift_deadline(deadline, paused, intervals)
        self.assertIsNotNone(moved)
        # Never earlier, later by exactly the service time paused, never more than the wall time.
        self.assertGreaterEqual(moved, deadline)
        self.assertEqual(service_time(deadline, moved, intervals), paused)
        self.assertLessEqual(paused, until - since)
        if not paused:
            self.assertEqual(moved, deadline)
        if deadline > since:
            # A deadline still running when the clock stopped keeps the time it had left then.
            self.assertEqual(service_time(until, moved, intervals), service_time(since, deadline, intervals))
        if intervals is None:
            self.assertEqual(moved, deadline + (until - since))

    @settings(deadline=None, max_examples=60)
    @given(
        start=st.integers(min_value=0, max_value=60 * 24 * 10),
        first=st.integers(min_value=0, max_value=60 * 24 * 2),
        second=st.integers(min_value=0, max_value=60 * 24 * 2),
    )
    def test_service_time_adds_up(self, start, first, second):
        intervals = weekday_intervals(T0, 40)
        begin = T0 + timedelta(minutes=start)
        middle = begin + timedelta(minutes=first)
        end = middle + timedelta(minutes=second)
        self.assertEqual(
            service_time(begin, end, intervals),
            service_time(begin, middle, intervals) + service_time(middle, end, intervals),
        )
        # Counting service time forward from a moment gives back that much service time.
        spent = service_time(begin, end, intervals)
        reached = add_service_time(begin, spent, intervals)
        self.assertEqual(service_time(begin, reached, intervals), spent)
        if spent:
            self.assertLessEqual(reached, end)

    def test_examples(self):
        intervals = weekday_intervals(FRIDAY, 10)
        # Paused Friday 15:30 to Monday 09:00: 90 + 60 working minutes.
        paused = service_time(FRIDAY.replace(hour=15, minute=30), datetime(2026, 3, 9, 9, 0), intervals)
        self.assertEqual(paused, timedelta(minutes=150))
        # A deadline at Friday 17:00 (the end of the day) moves to Monday 10:30.
        self.assertEqual(
            shift_deadline(FRIDAY.replace(hour=17), paused, intervals), datetime(2026, 3, 9, 10, 30)
        )
        self.assertEqual(shift_deadline(at(10), timedelta(), intervals), at(10))
        self.assertIsNone(shift_deadline(at(10), timedelta(days=400), intervals))
        self.assertEqual(service_time(at(10), at(5)), timedelta())
        self.assertEqual(add_service_minutes(at(0), 90), add_service_time(at(0), timedelta(minutes=90)))

    def test_three_targets(self):
        assign = (at(48), at(60), at(10))
        contact = (at(96), at(120), at(100))
        resolve = (at(384), at(480), False)
        self.assertEqual(evaluate_sla(at(200), [assign, contact, resolve]), ("on_track", [False] * 3))
        self.assertEqual(evaluate_sla(at(400), [assign, contact, resolve])[0], "at_risk")
        self.assertEqual(
            evaluate_sla(at(480), [assign, contact, resolve]), ("breached", [False, False, True])
        )
        on_time = (at(384), at(480), at(470))
        self.assertEqual(evaluate_sla(at(900), [assign, contact, on_time]), ("met", [False] * 3))
        late = (at(384), at(480), at(481))
        self.assertEqual(evaluate_sla(at(900), [assign, contact, late])[0], "breached")
        events = [assign + (False,), contact + (False,), resolve + (False,)]
        self.assertEqual(next_sla_check(at(200), events), at(384))
        self.assertEqual(next_sla_check(at(400), events), at(480))
        self.assertIsNone(
            next_sla_check(at(900), [assign + (False,), contact + (False,), on_time + (False,)])
        )


class SlaCase(TicketCase):
    """Resolution targets of their own: complaints 8 hours (urgent 2), repairs 16; none for the
    other types."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Policy = cls.env["fulfilment.sla.policy"]
        cls.policies = cls.Policy.create(
            [
                {"ticket_type": "complaint", "priority": "0", "resolve_hours": 8},
                {"ticket_type": "complaint", "priority": "1", "resolve_hours": 2},
                {"ticket_type": "repair", "priority": "0", "resolve_hours": 16},
            ]
        )
        cls.escalation = cls.env.ref("order_fulfilment.mail_activity_type_ticket_escalation")

    def _assigned(self, minutes=10, **vals):
        with freeze_time(T0):
            ticket = self._ticket(**vals)
        with freeze_time(at(minutes)):
            ticket.with_user(self.agent).action_assign()
        return ticket

    def _at(self, minutes, method, ticket, *args):
        with freeze_time(at(minutes)):
            return getattr(ticket.with_user(self.agent), method)(*args)

    def _escalations(self, ticket):
        return ticket.activity_ids.filtered(
            lambda a: a.activity_type_id == self.escalation and a.user_id == self.manager
        )


@tagged("post_install", "-at_install")
class TestTicketWaiting(SlaCase):
    def test_pause_moves_pending_deadlines(self):
        ticket = self._assigned()
        self.assertEqual(
            (ticket.contact_deadline, ticket.resolve_deadline, ticket.resolve_warning_date),
            (at(120), at(480), at(384)),
        )
        self._at(30, "action_wait_customer", ticket)
        self.assertEqual(ticket.state, "waiting")
        self.assertEqual((ticket.sla_paused_since, ticket.sla_resume_state), (at(30), "assigned"))
        # Nothing can change while the customer is away: the pass does not even read the ticket.
        self.assertFalse(ticket.sla_next_check)
        self.assertFalse(ticket.next_deadline)
        self.assertEqual(self._run_pass(130), 0)
        self.assertEqual(self._run_pass(500), 0)
        self.assertEqual(ticket.sla_state, "on_track")
        self.assertFalse(ticket.contact_escalated or ticket.resolve_escalated)
        self._at(90, "action_resume", ticket)
        # Back where it was, the deadlines still running later by the 60 minutes it waited.
        self.assertEqual(ticket.state, "assigned")
        self.assertEqual(
            (ticket.contact_deadline, ticket.contact_warning_date), (at(180), at(156)), "contact moved"
        )
        self.assertEqual((ticket.resolve_deadline, ticket.resolve_warning_date), (at(540), at(444)))
        self.assertEqual(ticket.assign_deadline, at(60), "a deadline already met does not move")
        self.assertEqual((ticket.sla_paused_minutes, ticket.sla_paused_since), (60, False))
        self.assertFalse(ticket.sla_resume_state)
        self.assertEqual((ticket.sla_next_check, ticket.next_deadline), (at(156), at(180)))
        bodies = ticket.message_ids.mapped("body")
        self.assertTrue([b for b in bodies if "the SLA clock is stopped" in b])
        self.assertTrue([b for b in bodies if "Waited 60 minutes" in b])
        # The clock runs again: at risk, then breached and escalated, from the moved deadlines.
        self.assertEqual(self._run_pass(155), 0)
        self._run_pass(157)
        self.assertEqual(ticket.sla_state, "at_risk")
        self._run_pass(181)
        self.assertEqual(ticket.sla_state, "breached")
        self.assertTrue(ticket.contact_escalated)

    def test_resume_to_the_state_it_left_and_double_clicks(self):
        ticket = self._assigned()
        self._at(20, "action_start", ticket)
        self._at(30, "action_wait_customer", ticket)
        # A second click (or a colleague at once) changes nothing: the first pause holds.
        self._at(40, "action_wait_customer", ticket)
        self.assertEqual((ticket.state, ticket.sla_paused_since), ("waiting", at(30)))
        self._at(50, "action_resume", ticket)
        self._at(55, "action_resume", ticket)
        self.assertEqual(ticket.state, "in_progress")
        self.assertEqual((ticket.sla_paused_minutes, ticket.contact_deadline), (20, at(140)))
        # A second pause adds up.
        self._at(60, "action_wait_customer", ticket)
        self._at(70, "action_resume", ticket)
        self.assertEqual((ticket.sla_paused_minutes, ticket.contact_deadline), (30, at(150)))
        self.assertEqual(ticket.resolve_deadline, at(510))
        new = self._ticket()
        with self.assertRaisesRegex(UserError, "cannot be set to wait for the customer"):
            new.with_user(self.agent).action_wait_customer()
        with self.assertRaisesRegex(UserError, "cannot be resumed"):
            new.with_user(self.agent).action_resume()
        with self.assertRaisesRegex(UserError, "Only after-sales agents"):
            ticket.with_user(self.plain_user).action_wait_customer()

    def test_state_frozen_while_waiting(self):
        at_risk = self._assigned()
        breached = self._assigned()
        self._run_pass(97)
        self.assertEqual(at_risk.sla_state, "at_risk")
        # One waits at risk, the other once its contact deadline has passed.
        self._at(100, "action_wait_customer", at_risk)
        self._at(130, "action_wait_customer", breached)
        self.assertEqual(breached.sla_state, "breached")
        self._run_pass(300)
        self.assertEqual((at_risk.sla_state, breached.sla_state), ("at_risk", "breached"))
        self.assertFalse(at_risk.contact_escalated, "no breach while the clock stood still")
        self.assertFalse(self._escalations(at_risk))
        self.assertFalse(self._escalations(breached), "escalated once the clock runs again")
        self._at(300, "action_resume", at_risk)
        self._at(300, "action_resume", breached)
        # The time left when the clock stopped is left now: 20 minutes.
        self.assertEqual(at_risk.contact_deadline, at(320))
        self.assertEqual(at_risk.sla_state, "at_risk")
        # A deadline that had passed stays where it was: a breach stays a breach.
        self.assertEqual(breached.contact_deadline, at(120))
        self.assertEqual(breached.resolve_deadline, at(480 + 170))
        self._run_pass(301)
        self.assertTrue(breached.contact_escalated)
        self._run_pass(321)
        self.assertEqual(at_risk.sla_state, "breached")
        self.assertEqual(len(self._escalations(at_risk)), 1)
        self._run_pass(330)
        self.assertEqual(len(self._escalations(breached)), 1)

    def test_resolve_or_cancel_while_waiting(self):
        ticket = self._assigned()
        self._at(20, "action_contact", ticket)
        self._at(30, "action_wait_customer", ticket)
        ticket.with_user(self.agent).resolution = "no_action"
        self._at(60, "action_resolve", ticket)
        self.assertEqual((ticket.state, ticket.sla_paused_minutes), ("resolved", 30))
        self.assertEqual((ticket.resolve_deadline, ticket.sla_state), (at(510), "met"))
        cancelled = self._assigned()
        self._at(30, "action_wait_customer", cancelled)
        self._at(40, "action_cancel", cancelled)
        self.assertEqual((cancelled.state, cancelled.sla_paused_since), ("cancelled", False))

    def test_chatter_and_errors_in_the_agents_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        agent = staff_user(self.env, "of_agent_zh", "order_fulfilment.group_aftersales_user", lang="zh_CN")
        ticket = self._assigned()
        with freeze_time(at(30)):
            ticket.with_user(agent).action_wait_customer()
        with freeze_time(at(45)):
            ticket.with_user(agent).action_resume()
        bodies = ticket.message_ids.mapped("body")
        self.assertTrue([b for b in bodies if "等待客户：服务时限已暂停计时。" in b])
        self.assertTrue([b for b in bodies if "共等待 15 分钟服务时间" in b])
        with self.assertRaisesRegex(UserError, "不能设为等待客户（请先分派）"):
            # (the web client sends the user's language in the context)
            self._ticket().with_user(agent).with_context(lang="zh_CN").action_wait_customer()
        # The resolution escalation, to a manager who reads Chinese.
        manager = staff_user(
            self.env, "of_as_manager_zh", "order_fulfilment.group_aftersales_manager", lang="zh_CN"
        )
        self._at(50, "action_contact", ticket)
        self._run_pass(496)
        activity = ticket.activity_ids.filtered(lambda a: a.user_id == manager)
        self.assertEqual(activity.summary, "服务时限已超时：解决时限")

    def test_pause_fields_are_protected(self):
        ticket = self._assigned()
        for vals in (
            {"state": "waiting"},
            {"sla_paused_since": "2026-03-02 08:00:00"},
            {"sla_paused_minutes": 600},
            {"resolve_deadline": "2030-01-01 00:00:00"},
            {"resolve_escalated": True},
        ):
            with self.assertRaisesRegex(UserError, "set by the ticket's actions"):
                ticket.with_user(self.agent).write(vals)

    def test_pause_in_working_hours_over_a_holiday(self):
        self.company.fulfilment_sla_use_calendar = True
        calendar = self.company.resource_calendar_id
        calendar.tz = "UTC"
        # A public holiday: a leave of no one in particular (global), in the company calendar.
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": calendar.id,
                "date_from": MONDAY_HOLIDAY,
                "date_to": MONDAY_HOLIDAY.replace(hour=23, minute=59),
            }
        )
        with freeze_time(FRIDAY.replace(hour=15)):
            ticket = self._ticket()
        # 8 working hours from Friday 15:00: 2 on Friday, none on the holiday, 6 on Tuesday.
        self.assertEqual(ticket.resolve_deadline, datetime(2026, 3, 10, 15, 0))
        self.assertEqual(ticket.contact_deadline, FRIDAY.replace(hour=17))
        with freeze_time(FRIDAY.replace(hour=15, minute=10)):
            ticket.with_user(self.agent).action_assign()
        with freeze_time(FRIDAY.replace(hour=15, minute=30)):
            ticket.with_user(self.agent).action_wait_customer()
        # The customer answers on Tuesday at 09:00: 90 minutes on Friday and 60 on Tuesday paused.
        with freeze_time(datetime(2026, 3, 10, 9, 0)):
            ticket.with_user(self.agent).action_resume()
        self.assertEqual(ticket.sla_paused_minutes, 150)
        # 90 working minutes were left to contact: Tuesday 10:30.
        self.assertEqual(ticket.contact_deadline, datetime(2026, 3, 10, 10, 30))
        # The resolve deadline moves by 150 working minutes too: Tuesday 17:30 is Wednesday 08:30.
        self.assertEqual(ticket.resolve_deadline, datetime(2026, 3, 11, 8, 30))
        self.assertEqual(ticket.sla_state, "on_track")


@tagged("post_install", "-at_install")
class TestResolutionTarget(SlaCase):
    def test_target_per_type_and_priority(self):
        with freeze_time(T0):
            complaint = self._ticket()
            urgent = self._ticket(priority="1")
            repair = self._ticket(ticket_type="repair")
            inquiry = self._ticket(ticket_type="inquiry")
        self.assertEqual(complaint.resolve_deadline, at(8 * 60))
        self.assertEqual(urgent.resolve_deadline, at(2 * 60))
        self.assertEqual(repair.resolve_deadline, at(16 * 60))
        self.assertEqual(repair.resolve_warning_date, at(16 * 60 * 0.8))
        self.assertFalse(inquiry.resolve_deadline, "no target for that type: assign and contact only")
        # A type or priority changed while the ticket is open takes the target of the new one.
        with freeze_time(at(30)):
            inquiry.with_user(self.agent).ticket_type = "repair"
            complaint.with_user(self.agent).priority = "1"
        self.assertEqual(inquiry.resolve_deadline, at(16 * 60))
        self.assertEqual((complaint.resolve_deadline, complaint.sla_next_check), (at(120), at(48)))

    def test_policy_change_applies_to_new_tickets(self):
        with freeze_time(T0):
            before = self._ticket()
        policy = self.policies.filtered(lambda p: p.ticket_type == "complaint" and p.priority == "0")
        policy.resolve_hours = 4
        with freeze_time(T0):
            after = self._ticket()
        # Open tickets keep the target they were opened with.
        self.assertEqual((before.resolve_deadline, after.resolve_deadline), (at(480), at(240)))
        policy.active = False
        with freeze_time(T0):
            untargeted = self._ticket()
        self.assertFalse(untargeted.resolve_deadline)
        self.assertEqual(before.resolve_deadline, at(480))

    def test_resolution_escalates_once(self):
        ticket = self._assigned()
        self._at(20, "action_contact", ticket)
        self.assertEqual((ticket.sla_state, ticket.sla_next_check), ("on_track", at(384)))
        self._run_pass(385)
        self.assertEqual(ticket.sla_state, "at_risk")
        self._run_pass(481)
        self.assertEqual(ticket.sla_state, "breached")
        self.assertTrue(ticket.resolve_escalated)
        self.assertFalse(ticket.assign_escalated or ticket.contact_escalated)
        escalations = self._escalations(ticket)
        self.assertEqual(len(escalations), 1)
        self.assertEqual(escalations.summary, "SLA breached: resolution deadline")
        self.assertTrue(
            ticket.message_ids.filtered(lambda m: "missed its resolution deadline" in (m.body or ""))
        )
        self.assertFalse(ticket.sla_next_check)
        self._run_pass(500)
        self._run_pass(900)
        self.assertEqual(len(self._escalations(ticket)), 1)
        # Resolved late: still breached.
        ticket.with_user(self.agent).resolution = "repair"
        self._at(600, "action_resolve", ticket)
        self.assertEqual(ticket.sla_state, "breached")

    def test_sla_state_over_three_targets(self):
        on_time = self._assigned()
        self._at(20, "action_contact", on_time)
        # Assigned and contacted in time: not met before it is resolved.
        self.assertEqual(on_time.sla_state, "on_track")
        on_time.with_user(self.agent).resolution = "no_action"
        self._at(470, "action_resolve", on_time)
        self.assertEqual((on_time.sla_state, on_time.resolved_date), ("met", at(470)))
        self.assertFalse(on_time.sla_next_check)
        late = self._assigned()
        self._at(20, "action_contact", late)
        late.with_user(self.agent).resolution = "no_action"
        self._at(481, "action_resolve", late)
        self.assertEqual(late.sla_state, "breached")
        # The late resolution is escalated once by the next pass.
        self.assertEqual(late.sla_next_check, at(481))
        self._run_pass(482)
        self.assertTrue(late.resolve_escalated)
        self.assertEqual(len(self._escalations(late)), 1)
        # Without a target for its type the ticket is met on its assign and contact targets.
        inquiry = self._assigned(ticket_type="inquiry")
        self._at(20, "action_contact", inquiry)
        self.assertEqual(inquiry.sla_state, "met")

    def test_resolve_target_skips_public_holidays(self):
        self.company.fulfilment_sla_use_calendar = True
        calendar = self.company.resource_calendar_id
        calendar.tz = "Asia/Shanghai"
        opened = datetime(2026, 3, 6, 7, 0)  # Friday 15:00 in Shanghai, the Monday after a holiday
        with freeze_time(opened):
            before_holiday = self._ticket()
        # 8 working hours: 2 on Friday, 6 on Monday: 15:00 Shanghai.
        self.assertEqual(before_holiday.resolve_deadline, datetime(2026, 3, 9, 7, 0))
        # Monday becomes a public holiday of the company (a leave of no resource, no calendar).
        holiday = self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "date_from": datetime(2026, 3, 8, 16, 0),
                "date_to": datetime(2026, 3, 9, 15, 59, 59),
            }
        )
        self.assertFalse(holiday.resource_id or holiday.calendar_id)
        with freeze_time(opened):
            ticket = self._ticket()
        self.assertEqual(ticket.resolve_deadline, datetime(2026, 3, 10, 7, 0))
        self.assertEqual(ticket.resolve_deadline, calendar.plan_hours(8.0, opened, compute_leaves=True))
        # A leave of one person is no public holiday.
        holiday.unlink()
        employee = self.env["resource.resource"].create({"name": "Li", "calendar_id": calendar.id})
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Li on leave",
                "resource_id": employee.id,
                "calendar_id": calendar.id,
                "date_from": datetime(2026, 3, 8, 16, 0),
                "date_to": datetime(2026, 3, 9, 15, 59, 59),
            }
        )
        with freeze_time(opened):
            self.assertEqual(self._ticket().resolve_deadline, datetime(2026, 3, 9, 7, 0))


@tagged("post_install", "-at_install")
class TestSlaPolicy(SlaCase):
    def test_rules_and_rights(self):
        # (assertRaises: rolled back to a savepoint, the refused rows do not stay behind.)
        with self.assertRaises(ValidationError) as caught:
            self.Policy.create({"ticket_type": "complaint", "priority": "0", "resolve_hours": 3})
        self.assertIn("already has a resolution target for Complaint, Normal: 8 h", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self.policies[0].resolve_hours = 0
        self.assertIn("must be more than 0", str(caught.exception))
        # An archived target may have a successor.
        self.policies[0].active = False
        self.Policy.create({"ticket_type": "complaint", "priority": "0", "resolve_hours": 3})
        with self.assertRaises(AccessError):
            self.policies[1].with_user(self.manager).resolve_hours = 1
        admin = staff_user(self.env, "of_policy_admin", "order_fulfilment.group_fulfilment_manager")
        self.policies[1].with_user(admin).resolve_hours = 1
        self.assertEqual(self.policies[1].resolve_hours, 1)
        self.assertTrue(self.policies.with_user(self.agent).read(["resolve_hours"]))

    def test_defaults_per_company(self):
        other = self.env["res.company"].create({"name": "Third Pump Works"})
        defaults = self.Policy.search([("company_id", "=", other.id)])
        self.assertEqual(len(defaults), 16, "a target per type and priority")
        self.assertEqual(
            set(defaults.mapped("ticket_type")),
            {"complaint", "return", "exchange", "repair", "installation", "damage", "missing", "inquiry"},
        )
        # Running the data again changes nothing an admin did.
        defaults[0].resolve_hours = 99
        defaults[1].active = False
        self.Policy._create_company_defaults()
        self.assertEqual(
            self.Policy.with_context(active_test=False).search_count([("company_id", "=", other.id)]), 16
        )
        self.assertEqual(defaults[0].resolve_hours, 99)
        self.assertFalse(defaults[1].active)


@tagged("post_install", "-at_install")
class TestTicketWaitingRpc(JsonRpcMixin, HttpCase):
    """Waiting for the customer over JSON-RPC, as an after-sales agent without an e-mail address."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = staff_user(cls.env, "of_wait_agent", "order_fulfilment.group_aftersales_user")
        cls.salesman = staff_user(
            cls.env, "of_wait_sales", "sales_team.group_sale_salesman_all_leads", name="Sue Sales"
        )
        customer = cls.env["res.partner"].create({"name": "Qingdao Valve Co"})
        cls.ticket = cls.env["fulfilment.ticket"].with_user(cls.agent).create({"partner_id": customer.id})
        cls.ticket.with_user(cls.agent).action_assign()

    def test_wait_and_resume_over_rpc(self):
        self.assertFalse(self.agent.email)
        self.authenticate("of_wait_sales", "of_wait_sales")
        with self.assertRaisesRegex(RpcError, "UserError"):
            self._call("fulfilment.ticket", "action_wait_customer", self.ticket.ids)
        self.authenticate("of_wait_agent", "of_wait_agent")
        self._call("fulfilment.ticket", "action_wait_customer", self.ticket.ids)
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.state, "waiting")
        with self.assertRaisesRegex(RpcError, "UserError"):
            self._call(
                "fulfilment.ticket", "write", self.ticket.ids, {"sla_paused_since": "2020-01-01 00:00:00"}
            )
        self.authenticate("of_wait_sales", "of_wait_sales")
        with self.assertRaisesRegex(RpcError, "UserError"):
            self._call("fulfilment.ticket", "action_resume", self.ticket.ids)
        self.authenticate("of_wait_agent", "of_wait_agent")
        self._call("fulfilment.ticket", "action_resume", self.ticket.ids)
        self.ticket.invalidate_recordset()
        self.assertEqual((self.ticket.state, self.ticket.sla_paused_since), ("assigned", False))
        notes = self.ticket.message_ids.filtered(lambda m: m.author_id == self.agent.partner_id)
        self.assertEqual(len(notes.filtered(lambda m: "SLA clock" in (m.body or ""))), 2)
