import logging
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import FulfilmentCase

_logger = logging.getLogger(__name__)


class RushCase(FulfilmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.production_user = new_test_user(
            cls.env,
            login="of_planner",
            groups="mrp.group_mrp_user,stock.group_stock_user",
            name="Paul Planner",
        )

    def _productions(self, order):
        return order._fulfilment_collect_productions()


@tagged("post_install", "-at_install")
class TestRushFlag(RushCase):
    def test_reason_required(self):
        with self.assertRaisesRegex(ValidationError, "give the rush reason"):
            self._create_order(is_rush=True)
        order = self._create_order()
        with self.assertRaisesRegex(ValidationError, "give the rush reason"):
            order.write({"is_rush": True, "rush_reason": "   "})
        order.write({"is_rush": True, "rush_reason": "Line down at the customer"})
        self.assertTrue(order.is_rush)

    def test_only_salespeople_set_rush(self):
        order = self._create_order()
        # Manufacturing users may write sale orders, but not the rush flag.
        with self.assertRaisesRegex(AccessError, "Only salespeople"):
            order.with_user(self.production_user).write({"is_rush": True, "rush_reason": "Please"})
        self.assertFalse(order.is_rush)
        # Other fields stay writable for them, and an unchanged flag is no change.
        order.with_user(self.production_user).write({"note": "Checked", "is_rush": False})
        order.with_user(self.salesman).write({"is_rush": True, "rush_reason": "Key customer"})
        self.assertTrue(order.is_rush)
        with self.assertRaisesRegex(AccessError, "Only salespeople"):
            order.with_user(self.production_user).write({"is_rush": False})
        self.assertTrue(order.is_rush)

    def test_rush_through_the_form(self):
        with Form(self.env["sale.order"].with_user(self.salesman)) as form:
            form.partner_id = self.customer
            with form.order_line.new() as line:
                line.product_id = self.stocked
            form.is_rush = True
            form.rush_reason = "Trade fair sample"
        self.assertTrue(form.record.is_rush)


@tagged("post_install", "-at_install")
class TestRushPriority(RushCase):
    def test_confirm_rush_gives_priority_everywhere(self):
        order = self._create_order([(self.pump, 2, 1000.0), (self.stocked, 3, 50.0)])
        order.write({"is_rush": True, "rush_reason": "Plant shutdown"})
        order.action_confirm()
        productions = self._productions(order)
        # The pump MO and the sub-assembly MO pulled through MTO.
        self.assertEqual(productions.product_id, self.pump | self.subassembly)
        self.assertEqual(order.fulfilment_production_ids, productions)
        self.assertEqual(set(productions.mapped("priority")), {"1"})
        self.assertTrue(all(productions.mapped("fulfilment_is_rush")))
        self.assertEqual(set(productions.move_raw_ids.mapped("priority")), {"1"})
        self.assertEqual(order.picking_ids.priority, "1")
        self.assertTrue(order.picking_ids.fulfilment_is_rush)
        self.assertEqual(set(order.picking_ids.move_ids.mapped("priority")), {"1"})
        # The Rush filters find them.
        self.assertEqual(self.env["mrp.production"].search([("fulfilment_is_rush", "=", True)]), productions)
        self.assertEqual(
            self.env["stock.picking"].search([("fulfilment_is_rush", "=", True)]), order.picking_ids
        )

    def test_normal_order_keeps_normal_priority(self):
        order = self._create_order()
        order.action_confirm()
        productions = self._productions(order)
        self.assertEqual(len(productions), 2)
        self.assertEqual(set(productions.mapped("priority")), {"0"})
        self.assertEqual(order.picking_ids.priority, "0")
        self.assertFalse(order.picking_ids.fulfilment_is_rush)
        # Linked for follow-up and risk, all the same.
        self.assertEqual(order.fulfilment_production_ids, productions)

    def test_toggle_after_confirm_both_ways(self):
        order = self._create_order([(self.pump, 1, 1000.0), (self.stocked, 1, 50.0)])
        order.action_confirm()
        productions = self._productions(order)
        pickings = order.picking_ids
        order.write({"is_rush": True, "rush_reason": "Customer escalated"})
        self.assertEqual(set(productions.mapped("priority")), {"1"})
        self.assertEqual(set(pickings.mapped("priority")), {"1"})
        self.assertEqual(set(pickings.move_ids.mapped("priority")), {"1"})
        self.assertTrue(all(pickings.mapped("fulfilment_is_rush")))
        order.write({"is_rush": False})
        self.assertEqual(set(productions.mapped("priority")), {"0"})
        self.assertEqual(set(pickings.mapped("priority")), {"0"})
        self.assertEqual(set(productions.move_raw_ids.mapped("priority")), {"0"})
        self.assertFalse(any(productions.mapped("fulfilment_is_rush")))

    def test_done_and_cancelled_are_left_alone(self):
        order = self._create_order()
        order.action_confirm()
        productions = self._productions(order)
        mo_sub = productions.filtered(lambda p: p.product_id == self.subassembly)
        mo_pump = productions - mo_sub
        self._produce(mo_sub)
        order.write({"is_rush": True, "rush_reason": "Customer escalated"})
        self.assertEqual(mo_sub.priority, "0")
        self.assertFalse(mo_sub.fulfilment_is_rush)
        self.assertEqual(mo_pump.priority, "1")
        mo_pump.action_cancel()
        self.assertEqual(mo_pump.state, "cancel")
        order.write({"is_rush": False})
        self.assertEqual(mo_pump.priority, "1", "a cancelled MO keeps its priority")
        self.assertTrue(mo_pump.fulfilment_is_rush)

    def test_quotation_toggle_touches_nothing(self):
        order = self._create_order()
        order.write({"is_rush": True, "rush_reason": "Maybe"})
        self.assertFalse(order.picking_ids)
        self.assertFalse(self._productions(order))

    def _toggle_queries(self, pump_lines):
        order = self._create_order([(self.pump, 1, 1000.0)] * pump_lines + [(self.stocked, 1, 50.0)])
        order.action_confirm()
        self.assertEqual(len(self._productions(order)), 2 * pump_lines)
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        order.write({"is_rush": True, "rush_reason": "Budget"})
        self.env.flush_all()
        count = self.env.cr.sql_log_count - before
        self.assertEqual(set(self._productions(order).mapped("priority")), {"1"})
        return count

    def test_toggle_query_budget(self):
        """Propagation writes in batches: the query count does not grow with the MOs."""
        small = self._toggle_queries(1)
        large = self._toggle_queries(6)
        _logger.info("toggling rush: %s queries with 2 MOs, %s queries with 12 MOs", small, large)
        self.assertLessEqual(large, 80, f"{large} queries to toggle rush on an order with 12 MOs")
        self.assertLessEqual(large - small, 6, f"{small} queries for 2 MOs but {large} for 12")


@tagged("post_install", "-at_install")
class TestPromise(RushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Asia/Shanghai"
        cls.calendar = cls.company.resource_calendar_id
        cls.calendar.tz = "Asia/Shanghai"

    def _promise(self, date_order, **values):
        order = self._create_order(date_order=date_order, **values)
        return order, order.fulfilment_promise_date

    def test_before_and_after_cutoff(self):
        # Wednesday 18 Nov 2026, 09:00 in Shanghai: processed the same day.
        _order, standard = self._promise(datetime(2026, 11, 18, 1, 0))
        self.assertEqual(standard, datetime(2026, 11, 23, 9, 15))  # Monday 17:15 local
        _order, rush = self._promise(datetime(2026, 11, 18, 1, 0), is_rush=True, rush_reason="Urgent")
        self.assertEqual(rush, datetime(2026, 11, 19, 9, 15))  # T+1
        # 17:30 local: after the 17:15 cut-off, processed Thursday, shipped Friday.
        _order, late_rush = self._promise(datetime(2026, 11, 18, 9, 30), is_rush=True, rush_reason="Urgent")
        self.assertEqual(late_rush, datetime(2026, 11, 20, 9, 15))  # T+2
        # 17:14 local is still before the cut-off.
        _order, just_in = self._promise(datetime(2026, 11, 18, 9, 14), is_rush=True, rush_reason="Urgent")
        self.assertEqual(just_in, datetime(2026, 11, 19, 9, 15))

    def test_cutoff_setting_is_used(self):
        self.company.fulfilment_cutoff_hour = 12.0
        _order, rush = self._promise(datetime(2026, 11, 18, 5, 0), is_rush=True, rush_reason="Urgent")
        self.assertEqual(rush, datetime(2026, 11, 20, 4, 0))  # 13:00 is after noon: Friday noon

    def test_over_weekend(self):
        # Friday 20 Nov, 10:00 local: rush ships on Monday, standard on Wednesday.
        _order, rush = self._promise(datetime(2026, 11, 20, 2, 0), is_rush=True, rush_reason="Urgent")
        self.assertEqual(rush, datetime(2026, 11, 23, 9, 15))
        _order, standard = self._promise(datetime(2026, 11, 20, 2, 0))
        self.assertEqual(standard, datetime(2026, 11, 25, 9, 15))
        # Saturday: processed on Monday.
        _order, saturday = self._promise(datetime(2026, 11, 21, 2, 0), is_rush=True, rush_reason="Urgent")
        self.assertEqual(saturday, datetime(2026, 11, 24, 9, 15))

    def test_over_public_holiday(self):
        # Monday 23 Nov is a public holiday (a global leave of the company calendar).
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 11, 22, 16, 0),  # Monday 00:00 in Shanghai
                "date_to": datetime(2026, 11, 23, 15, 59, 59),
            }
        )
        _order, rush = self._promise(datetime(2026, 11, 20, 2, 0), is_rush=True, rush_reason="Urgent")
        self.assertEqual(rush, datetime(2026, 11, 24, 9, 15))

    def test_same_time_zone_and_holidays_as_the_sla(self):
        # The calendar's time zone counts, whatever the company's address says (as for tickets):
        # the cut-off is 17:15 in Shanghai, not in Berlin.
        self.company.partner_id.tz = "Europe/Berlin"
        _order, rush = self._promise(datetime(2026, 11, 18, 1, 0), is_rush=True, rush_reason="Urgent")
        self.assertEqual(rush, datetime(2026, 11, 19, 9, 15))  # Thursday 17:15 in Shanghai
        # Another company's holiday on Thursday, set for no calendar in particular, is not ours.
        other = self.env["res.company"].create({"name": "Second Pump Works"})
        self.env.user.company_ids |= other
        theirs = (
            self.env["resource.calendar.leaves"]
            .with_company(other)
            .create(
                {
                    "name": "Their holiday",
                    "date_from": datetime(2026, 11, 18, 16, 0),
                    "date_to": datetime(2026, 11, 19, 15, 59),
                }
            )
        )
        # Saved as that company's user would (its company is computed from the saving user's).
        theirs.flush_recordset()
        theirs.invalidate_recordset()
        self.assertEqual(theirs.company_id, other)
        _order, rush = self._promise(datetime(2026, 11, 18, 1, 0), is_rush=True, rush_reason="Urgent")
        self.assertEqual(rush, datetime(2026, 11, 19, 9, 15))

    def test_signature_moves_the_promise(self):
        order, unsigned = self._promise(datetime(2026, 11, 18, 1, 0), require_signature=True)
        self.assertEqual(unsigned, datetime(2026, 11, 23, 9, 15))
        # Signed two working days later (Friday morning): the promise moves two days.
        order.write({"signed_by": "Mr Zhang", "signed_on": datetime(2026, 11, 20, 1, 0)})
        self.assertEqual(order.fulfilment_promise_date, datetime(2026, 11, 25, 9, 15))
        # Without a required signature the signature date does not count.
        order.require_signature = False
        self.assertEqual(order.fulfilment_promise_date, datetime(2026, 11, 23, 9, 15))

    def test_promise_on_the_form(self):
        with freeze_time("2026-11-18 01:00:00"), Form(self.env["sale.order"]) as form:
            form.partner_id = self.customer
            with form.order_line.new() as line:
                line.product_id = self.stocked
            form.is_rush = True
            form.rush_reason = "Urgent"
            self.assertEqual(form.fulfilment_promise_date, datetime(2026, 11, 19, 9, 15))

    def test_confirm_fills_empty_commitment_date(self):
        # Off by default: stock Odoo keeps an empty commitment date.
        with freeze_time("2026-11-18 01:00:00"):
            order = self._create_order([(self.stocked, 1, 50.0)], is_rush=True, rush_reason="Urgent")
            order.action_confirm()
        self.assertFalse(order.commitment_date)
        self.company.fulfilment_commit_promise = True
        with freeze_time("2026-11-18 01:00:00"):
            order = self._create_order([(self.stocked, 1, 50.0)], is_rush=True, rush_reason="Urgent")
            order.action_confirm()
        self.assertEqual(order.commitment_date, datetime(2026, 11, 19, 9, 15))
        self.assertEqual(order.picking_ids.date_deadline, datetime(2026, 11, 19, 9, 15))
        # A date agreed with the customer is kept.
        agreed = datetime(2026, 12, 1, 8, 0)
        with freeze_time("2026-11-18 01:00:00"):
            order = self._create_order([(self.stocked, 1, 50.0)], commitment_date=agreed)
            order.action_confirm()
        self.assertEqual(order.commitment_date, agreed)
        # A longer customer lead time of the product wins over the promise.
        self.stocked.sale_delay = 30
        with freeze_time("2026-11-18 01:00:00"):
            order = self._create_order([(self.stocked, 1, 50.0)])
            order.action_confirm()
        self.assertEqual(order.commitment_date, datetime(2026, 12, 18, 1, 0))


@tagged("post_install", "-at_install")
class TestFollowUp(RushCase):
    def _expedite_activities(self, order):
        return order.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("order_fulfilment.mail_activity_type_expedite")
        )

    def _notices(self, production):
        return production.message_ids.filtered(lambda m: "Expedite notice" in (m.body or ""))

    def test_follow_up_once_a_day(self):
        now = fields.Datetime.now()
        near = self._create_order(commitment_date=now + timedelta(days=1))
        near.action_confirm()
        far = self._create_order(commitment_date=now + timedelta(days=10))
        far.action_confirm()
        open_mos = near.fulfilment_production_ids
        self.assertEqual(len(open_mos), 2)
        open_mos.user_id = self.production_user

        Order = self.env["sale.order"]
        Order._cron_fulfilment_follow_up()
        Order._cron_fulfilment_follow_up()  # twice the same day: nothing new
        activity = self._expedite_activities(near)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesman)
        for production in open_mos:
            notice = self._notices(production)
            self.assertEqual(len(notice), 1)
            self.assertIn(self.production_user.partner_id, notice.partner_ids)
        self.assertFalse(self._expedite_activities(far))
        self.assertFalse(self._notices(far.fulfilment_production_ids))

        # The next day the MOs get a new notice; the open activity is not repeated.
        with freeze_time(now + timedelta(days=1)):
            Order._cron_fulfilment_follow_up()
            Order._cron_fulfilment_follow_up()
        self.assertEqual(len(self._expedite_activities(near)), 1)
        self.assertEqual(len(self._notices(open_mos[0])), 2)

    def test_delivered_orders_are_not_followed_up(self):
        order = self._create_order([(self.stocked, 2, 50.0)], commitment_date=fields.Datetime.now())
        order.action_confirm()
        picking = self._pick(order.picking_ids)
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.env["sale.order"]._cron_fulfilment_follow_up()
        self.assertFalse(self._expedite_activities(order))
        self.assertEqual(order.fulfilment_delivered_percent, 100.0)
        self.assertFalse(order.fulfilment_at_risk)

    def test_cron_is_shipped(self):
        cron = self.env.ref("order_fulfilment.ir_cron_fulfilment_follow_up")
        self.assertEqual(cron.name, "Fulfilment: rush and delivery follow-up")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        cron.method_direct_trigger()


@tagged("post_install", "-at_install")
class TestCannotMeet(RushCase):
    def test_production_tells_sales(self):
        order = self._create_order(is_rush=True, rush_reason="Key customer")
        order.action_confirm()
        production = order.fulfilment_production_ids.filtered(lambda p: p.product_id == self.pump)
        self._confirm_wizard(
            "fulfilment.cannot.meet.wizard",
            self.production_user,
            {"reason": "Motor supplier is a week late"},
            default_production_id=production.id,
        )
        activity = order.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("order_fulfilment.mail_activity_type_cannot_meet")
        )
        self.assertEqual(activity.user_id, self.salesman)
        self.assertIn("Motor supplier is a week late", str(activity.note))
        message = order.message_ids.filtered(lambda m: "Motor supplier is a week late" in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.production_user.partner_id)

    def test_reason_and_state_are_checked(self):
        order = self._create_order()
        order.action_confirm()
        production = order.fulfilment_production_ids.filtered(lambda p: p.product_id == self.pump)
        with self.assertRaisesRegex(UserError, "Give the reason"):
            production.with_user(self.production_user).action_fulfilment_cannot_meet("  ")
        with self.assertRaisesRegex(AccessError, "Only manufacturing users"):
            production.with_user(self.salesman).action_fulfilment_cannot_meet("No capacity")
        production.action_cancel()
        with self.assertRaisesRegex(UserError, "already done or cancelled"):
            production.with_user(self.production_user).action_fulfilment_cannot_meet("No capacity")
        self.assertFalse(order.activity_ids)


@tagged("post_install", "-at_install")
class TestAtRisk(RushCase):
    def test_at_risk_cases(self):
        now = fields.Datetime.now()
        safe = self._create_order(commitment_date=now + timedelta(days=30))
        in_window = self._create_order(commitment_date=now + timedelta(days=1))
        late_mo = self._create_order(commitment_date=now + timedelta(days=30))
        late_delivery = self._create_order(
            [(self.stocked, 1, 50.0)], commitment_date=now + timedelta(days=30)
        )
        quotation = self._create_order(commitment_date=now + timedelta(days=1))
        orders = safe | in_window | late_mo | late_delivery
        orders.action_confirm()
        late_mo.fulfilment_production_ids[:1].date_finished = now + timedelta(days=40)
        late_delivery.picking_ids.scheduled_date = now + timedelta(days=40)
        everything = orders | quotation
        expected = in_window | late_mo | late_delivery
        self.assertEqual(everything.filtered("fulfilment_at_risk"), expected)
        Order = self.env["sale.order"]
        self.assertEqual(
            Order.search([("id", "in", everything.ids), ("fulfilment_at_risk", "=", True)]), expected
        )
        self.assertEqual(
            Order.search([("id", "in", everything.ids), ("fulfilment_at_risk", "=", False)]),
            safe | quotation,
        )
        self.assertEqual(
            Order.search([("id", "in", everything.ids), ("fulfilment_at_risk", "!=", True)]),
            safe | quotation,
        )
        # Done MOs do not count.
        late_mo.fulfilment_production_ids[:1].action_cancel()
        self.assertNotIn(late_mo, Order.search([("fulfilment_at_risk", "=", True)]))
