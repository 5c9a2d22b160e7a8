"""Warranty (保修) per serial: the warranty end, tickets in or out of warranty, the sign-off of
free service out of warranty, and the service history on the lot."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import staff_user
from .test_fulfilment_ticket_repair import DELIVERED, RepairCase

IN_WARRANTY = datetime(2026, 9, 1, 9, 0, 0)
OUT_OF_WARRANTY = datetime(2027, 3, 3, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestLotWarranty(RepairCase):
    def test_warranty_end_is_first_delivery_plus_months(self):
        self.assertEqual(self.lot.fulfilment_first_delivery_date, DELIVERED)
        self.assertEqual(self.lot.fulfilment_warranty_end, date(2027, 3, 2))
        self.assertEqual(self.lots[1].fulfilment_warranty_end, date(2027, 3, 2))
        # The product's warranty changes: every serial follows.
        self.serial_pump.fulfilment_warranty_months = 24
        self.assertEqual(self.lot.fulfilment_warranty_end, date(2028, 3, 2))
        self.serial_pump.fulfilment_warranty_months = 0
        self.assertFalse(self.lot.fulfilment_warranty_end)

    def test_no_delivery_no_warranty(self):
        lot = self.env["stock.lot"].create({"name": "BP-IN-STOCK", "product_id": self.serial_pump.id})
        self.env["stock.quant"]._update_available_quantity(
            self.serial_pump, self.stock_location, 1, lot_id=lot
        )
        self.assertFalse(lot.fulfilment_first_delivery_date)
        self.assertFalse(lot.fulfilment_warranty_end)
        with freeze_time(IN_WARRANTY):
            ticket = self._repair_ticket(order_id=False, picking_id=False, lot_id=lot.id)
        self.assertFalse(ticket.in_warranty)
        self.assertEqual(ticket.charge, "charged")

    def test_a_later_delivery_keeps_the_first_date(self):
        # The serial comes back to stock and goes out again: the warranty runs from the first delivery.
        Quant = self.env["stock.quant"]
        customers = self.env.ref("stock.stock_location_customers")
        Quant._update_available_quantity(self.serial_pump, customers, -1, lot_id=self.lot)
        Quant._update_available_quantity(self.serial_pump, self.stock_location, 1, lot_id=self.lot)
        __, picking = self._sell_and_ship(self.serial_pump, 1, IN_WARRANTY)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.move_line_ids.lot_id, self.lot)
        self.assertEqual(self.lot.fulfilment_first_delivery_date, DELIVERED)
        self.assertEqual(self.lot.fulfilment_warranty_end, date(2027, 3, 2))

    def _refresh_queries(self, lots):
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        lots.fulfilment_refresh_first_delivery()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_refresh_is_batched(self):
        """Refreshing many serials costs the queries of one."""
        __, __, many = self._deliver_serials(self.serial_pump, [f"BP-B{i}" for i in range(8)], DELIVERED)
        self.assertEqual(self._refresh_queries(many), self._refresh_queries(self.lot))
        # Their first delivery lost (as if never written): one write for all the serials of a date.
        self.env.cr.execute(
            "UPDATE stock_lot SET fulfilment_first_delivery_date = NULL WHERE id IN %s", [tuple(many.ids)]
        )
        self.assertEqual(self._refresh_queries(many[:1]), self._refresh_queries(many[1:]))
        self.assertEqual(many.mapped("fulfilment_warranty_end"), [date(2027, 3, 2)] * 8)

    def test_dates_cannot_be_written(self):
        with self.assertRaisesRegex(UserError, "follow the deliveries"):
            self.lot.with_user(self.stock_user).write({"fulfilment_warranty_end": "2099-01-01"})
        self.assertEqual(self.lot.fulfilment_warranty_end, date(2027, 3, 2))


@tagged("post_install", "-at_install")
class TestTicketWarranty(RepairCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.general_manager = staff_user(
            cls.env, "of_gm", "order_fulfilment.group_general_manager", name="Gao General"
        )

    def _out_of_warranty_ticket(self, **vals):
        with freeze_time(OUT_OF_WARRANTY):
            return self._repair_ticket(**vals)

    def test_in_and_out_of_warranty(self):
        with freeze_time(IN_WARRANTY):
            inside = self._repair_ticket()
        outside = self._out_of_warranty_ticket()
        without_serial = self._ticket(ticket_type="repair", product_id=self.stocked.id)
        self.assertTrue(inside.in_warranty)
        self.assertEqual(inside.charge, "free")
        self.assertEqual(inside.review_state, "none")
        self.assertFalse(outside.in_warranty)
        self.assertEqual(outside.charge, "charged")
        self.assertEqual(outside.review_state, "draft")
        self.assertFalse(without_serial.in_warranty)
        # Another serial, out of warranty: charged again.
        lot_outside = self.env["stock.lot"].create({"name": "BP-NEVER", "product_id": self.serial_pump.id})
        inside.with_user(self.agent).write({"lot_id": lot_outside.id})
        self.assertFalse(inside.in_warranty)
        self.assertEqual(inside.charge, "charged")

    def test_repair_in_warranty_is_free(self):
        with freeze_time(IN_WARRANTY):
            ticket = self._repair_ticket()
        ticket.with_user(self.agent).action_create_repair()
        self.assertTrue(ticket.repair_id.under_warranty)

    def test_free_out_of_warranty_needs_a_sign_off(self):
        ticket = self._out_of_warranty_ticket()
        ticket.with_user(self.agent).action_create_repair()
        repair = ticket.repair_id
        self.assertFalse(repair.under_warranty)
        # Not free without the sign-off: on the ticket, or on its repair.
        with self.assertRaisesRegex(UserError, "needs a review by After-sales Management; request it first"):
            ticket.with_user(self.agent).write({"charge": "free"})
        with self.assertRaisesRegex(
            UserError, f"comes from ticket {ticket.name}, which is not free of charge"
        ):
            repair.with_user(self.stock_user).write({"under_warranty": True})
        with self.assertRaisesRegex(UserError, "needs the free-of-charge sign-off"):
            ticket.with_user(self.agent).action_create_replacement()
        self.assertFalse(ticket.replacement_order_id)
        # The manager asks for it: they cannot approve their own request.
        ticket.with_user(self.manager).action_request_review()
        self.assertEqual(ticket.review_state, "pending")
        with self.assertRaisesRegex(UserError, "you have no review to decide"):
            ticket.with_user(self.manager).action_review_approve()
        with self.assertRaisesRegex(UserError, "is waiting for After-sales Management"):
            ticket.with_user(self.agent).write({"charge": "free"})
        with self.assertRaisesRegex(UserError, "you have no review to decide"):
            ticket.with_user(self.agent).action_review_approve()
        self.assertEqual(ticket.charge, "charged")
        # The general manager signs it off (from the review: the ticket is not theirs to read):
        # the ticket and its repair are free of charge.
        ticket.review_ids.with_user(self.general_manager).action_approve()
        self.assertEqual(ticket.review_state, "approved")
        self.assertEqual(ticket.charge, "free")
        self.assertTrue(repair.under_warranty)
        ticket.with_user(self.agent).action_create_replacement()
        self.assertEqual(ticket.sudo().replacement_order_id.amount_total, 0.0)
        # Charged again by the agent: the repair follows.
        ticket.with_user(self.agent).write({"charge": "charged"})
        self.assertFalse(repair.under_warranty)

    def test_refused_sign_off_stays_charged(self):
        ticket = self._out_of_warranty_ticket()
        ticket.with_user(self.agent).action_request_review()
        review = ticket.review_ids
        self.assertEqual(review.group_id, self.env.ref("order_fulfilment.group_warranty_approver"))
        review.with_user(self.manager).action_reject(comment="Misuse: the pump ran dry")
        self.assertEqual(ticket.review_state, "rejected")
        self.assertEqual(ticket.charge, "charged")
        with self.assertRaisesRegex(UserError, "was rejected"):
            ticket.with_user(self.agent).write({"charge": "free"})

    def test_another_serial_cancels_the_sign_off(self):
        ticket = self._out_of_warranty_ticket()
        ticket.with_user(self.agent).action_request_review()
        ticket.with_user(self.manager).action_review_approve()
        self.assertEqual(ticket.charge, "free")
        lot = self.env["stock.lot"].create({"name": "BP-OTHER", "product_id": self.serial_pump.id})
        ticket.with_user(self.agent).write({"lot_id": lot.id})
        self.assertEqual(ticket.charge, "charged")
        with self.assertRaisesRegex(UserError, "Missing review sign-offs"):
            ticket.with_user(self.agent).write({"charge": "free"})

    def test_no_ticket_born_free_out_of_warranty(self):
        with freeze_time(OUT_OF_WARRANTY), self.assertRaisesRegex(UserError, "needs the sign-off of"):
            self._repair_ticket(charge="free")


@tagged("post_install", "-at_install")
class TestLotServiceHistory(RepairCase):
    def test_lot_lists_tickets_returns_replacements_and_repairs(self):
        with freeze_time(IN_WARRANTY):
            repair_ticket = self._repair_ticket()
            exchange = self._repair_ticket(ticket_type="exchange", description="Wrong voltage")
        repair_ticket.with_user(self.agent).action_create_repair()
        exchange.with_user(self.agent).action_create_return()
        exchange.with_user(self.agent).action_create_replacement()
        other_lot = self.lots[1]
        lot = self.lot.with_user(self.agent)
        self.assertEqual(lot.fulfilment_ticket_ids, repair_ticket | exchange)
        self.assertEqual(lot.fulfilment_ticket_count, 2)
        self.assertEqual(lot.fulfilment_repair_ids, repair_ticket.repair_id)
        self.assertEqual(lot.fulfilment_return_ids, exchange.return_picking_ids)
        self.assertEqual(lot.fulfilment_replacement_ids, exchange.replacement_order_id)
        self.assertEqual(
            (lot.fulfilment_repair_count, lot.fulfilment_return_count, lot.fulfilment_replacement_count),
            (1, 1, 1),
        )
        self.assertFalse(other_lot.fulfilment_ticket_ids)
        self.assertEqual(other_lot.fulfilment_repair_count, 0)
        # The smart buttons open each list.
        self.assertEqual(
            lot.action_view_fulfilment_repairs()["domain"], [("id", "in", repair_ticket.repair_id.ids)]
        )
        self.assertEqual(
            lot.action_view_fulfilment_returns()["domain"], [("id", "in", exchange.return_picking_ids.ids)]
        )
        self.assertEqual(
            lot.action_view_fulfilment_replacements()["domain"],
            [("id", "in", exchange.replacement_order_id.ids)],
        )
        self.assertEqual(lot.action_view_fulfilment_tickets()["domain"], [("lot_id", "=", lot.id)])


@tagged("post_install", "-at_install")
class TestWarrantyWithoutSerial(RepairCase):
    """Goods without a serial: the warranty counts from the ticket's delivery (or its order's first
    delivery of the product) plus the product's warranty months; a serial's own warranty wins."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.valve = cls.env["product.product"].create(
            {"name": "Check valve", "is_storable": True, "list_price": 120.0, "fulfilment_warranty_months": 6}
        )
        cls.env["stock.quant"]._update_available_quantity(cls.valve, cls.stock_location, 20)
        cls.valve_order = cls._create_order([(cls.valve, 4, 120.0)])
        with freeze_time(DELIVERED):
            cls.valve_order.action_confirm()
            cls.valve_picking = cls._ship(cls.valve_order)
        cls.general_manager = staff_user(
            cls.env, "of_gm_valve", "order_fulfilment.group_general_manager", name="Gao General"
        )

    def _valve_ticket(self, when, **vals):
        values = {
            "ticket_type": "exchange",
            "order_id": self.valve_order.id,
            "picking_id": self.valve_picking.id,
            "product_id": self.valve.id,
            "quantity": 1,
            "description": "The valve sticks open",
        }
        values.update(vals)
        with freeze_time(when):
            return self._ticket(**values)

    def test_in_and_out_of_warranty_from_the_delivery(self):
        self.assertEqual(self.valve_picking.state, "done")
        inside = self._valve_ticket(datetime(2026, 9, 1, 9, 0, 0))
        self.assertEqual(inside.delivered_date, DELIVERED)
        self.assertEqual(inside.warranty_end, date(2026, 9, 2))
        self.assertTrue(inside.in_warranty)
        self.assertEqual(inside.charge, "free")
        self.assertEqual(inside.review_state, "none", "in warranty: nothing to sign off")
        # Free in warranty: the replacement at zero price needs no sign-off.
        inside.with_user(self.agent).action_create_replacement()
        self.assertEqual(inside.sudo().replacement_order_id.amount_total, 0.0)
        # Without the delivery, the order's first delivery of the product counts.
        by_order = self._valve_ticket(datetime(2026, 9, 1, 9, 0, 0), picking_id=False)
        self.assertEqual(by_order.delivered_date, DELIVERED)
        self.assertTrue(by_order.in_warranty)
        # Opened after the warranty ended: charged, and free only once signed off.
        outside = self._valve_ticket(datetime(2026, 9, 3, 9, 0, 0))
        self.assertEqual(outside.warranty_end, date(2026, 9, 2))
        self.assertFalse(outside.in_warranty)
        self.assertEqual(outside.charge, "charged")
        self.assertEqual(outside.review_state, "draft")
        with self.assertRaisesRegex(UserError, "needs the free-of-charge sign-off"):
            outside.with_user(self.agent).action_create_replacement()
        outside.with_user(self.agent).action_request_review()
        outside.review_ids.with_user(self.general_manager).action_approve()
        self.assertEqual(outside.charge, "free")
        # A product without warranty months has none, delivered or not.
        flange_order, flange_picking = self._delivered_order(qty=2)
        no_warranty = self._ticket(
            order_id=flange_order.id, picking_id=flange_picking.id, product_id=self.stocked.id
        )
        self.assertTrue(no_warranty.delivered_date)
        self.assertFalse(no_warranty.warranty_end)
        self.assertFalse(no_warranty.in_warranty)
        self.assertEqual(no_warranty.charge, "charged")

    def test_warranty_starts_when_the_order_is_delivered(self):
        order = self._create_order([(self.valve, 2, 120.0)])
        with freeze_time(datetime(2026, 5, 4, 9, 0, 0)):
            order.action_confirm()
        # Goods missing: the ticket is opened before the delivery is done.
        ticket = self._valve_ticket(datetime(2026, 5, 5, 9, 0, 0), order_id=order.id, picking_id=False)
        closed = self._valve_ticket(datetime(2026, 5, 5, 9, 0, 0), order_id=order.id, picking_id=False)
        closed.with_user(self.agent).action_cancel()
        self.assertFalse(ticket.delivered_date)
        self.assertFalse(ticket.in_warranty)
        self.assertEqual(ticket.review_state, "draft")
        with freeze_time(datetime(2026, 5, 5, 15, 0, 0)):
            self._ship(order)
        self.assertEqual(ticket.delivered_date, datetime(2026, 5, 5, 15, 0, 0))
        self.assertEqual(ticket.warranty_end, date(2026, 11, 5))
        self.assertTrue(ticket.in_warranty)
        self.assertEqual(ticket.charge, "free")
        self.assertEqual(ticket.review_state, "none", "in warranty now: nothing left to sign off")
        # A ticket no longer open keeps the warranty it was handled with.
        self.assertFalse(closed.delivered_date)
        self.assertEqual(closed.charge, "charged")

    def test_a_serial_wins_over_the_delivery(self):
        # The order's delivery is recent, but the serial named was never delivered.
        never = self.env["stock.lot"].create({"name": "BP-NEVER", "product_id": self.serial_pump.id})
        with freeze_time(IN_WARRANTY):
            ticket = self._repair_ticket(lot_id=never.id)
        self.assertFalse(ticket.delivered_date)
        self.assertFalse(ticket.warranty_end)
        self.assertFalse(ticket.in_warranty)
        # The serial delivered with the order: its own first delivery counts.
        ticket.with_user(self.agent).write({"lot_id": self.lot.id})
        self.assertEqual(ticket.delivered_date, DELIVERED)
        self.assertEqual(ticket.warranty_end, date(2027, 3, 2))
        self.assertTrue(ticket.in_warranty)

    def test_another_delivery_cancels_the_sign_off(self):
        ticket = self._valve_ticket(datetime(2026, 9, 3, 9, 0, 0))
        ticket.with_user(self.agent).action_request_review()
        ticket.with_user(self.manager).action_review_approve()
        self.assertEqual(ticket.charge, "free")
        ticket.with_user(self.agent).write({"picking_id": False})
        self.assertEqual(ticket.charge, "charged")
        with self.assertRaisesRegex(UserError, "Missing review sign-offs"):
            ticket.with_user(self.agent).write({"charge": "free"})

    def test_warranty_is_not_written_by_hand(self):
        ticket = self._valve_ticket(datetime(2026, 9, 3, 9, 0, 0))
        for vals in (
            {"in_warranty": True},
            {"warranty_end": "2099-01-01"},
            {"delivered_date": "2026-09-01 09:00:00"},
        ):
            with self.assertRaisesRegex(UserError, "not written directly"):
                ticket.with_user(self.agent).write(vals)
        with self.assertRaisesRegex(UserError, "not written directly"):
            self._ticket(user=self.agent, product_id=self.valve.id, in_warranty=True)
        self.assertFalse(ticket.in_warranty)
        self.assertEqual(ticket.charge, "charged")
