import base64
import time
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import FulfilmentCase, load_chinese, roster


@tagged("post_install", "-at_install")
class TestChangeRequest(FulfilmentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        roles = ("manager", "director", "producer", "salesman2")
        cls.manager, cls.director, cls.producer, cls.other_salesman = roster(cls.env, "of_cr", *roles)
        cls.Request = cls.env["fulfilment.change.request"]
        cls.change_rules = cls.env["fulfilment.review.rule"].search([("applies_to", "=", "change_request")])

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _confirmed(self, lines=None, **values):
        order = self._create_order(lines, **values)
        order.action_confirm()
        return order

    def _request(self, order, change_type, user=None, **values):
        return (
            self.Request.with_user(user or self.salesman)
            .create({"order_id": order.id, "change_type": change_type, "reason": "Customer asked", **values})
            .with_user(user or self.salesman)
        )

    def _document(self):
        return self.env["ir.attachment"].create(
            {"name": "customer-letter.pdf", "datas": base64.b64encode(b"%PDF-1.4 letter")}
        )

    def _approve_all(self, request):
        request.with_user(self.salesman).action_submit()
        for user in (self.manager, self.director):
            request.with_user(user).action_review_approve()
        self.assertEqual(request.state, "approved")

    def _no_rules(self):
        self.change_rules.write({"active": False})

    def _top_mos(self, order, product):
        mos = order.sudo().mrp_production_ids | order.sudo().mrp_production_ids.mapped(
            lambda m: m._get_children()
        )
        return mos.filtered(lambda m: m.product_id == product and m.state != "cancel")

    def _pending(self, order, product):
        moves = order.picking_ids.move_ids.filtered(
            lambda m: (
                m.product_id == product
                and m.state not in ("done", "cancel")
                and m.picking_type_id.code == "outgoing"
            )
        )
        return sum(moves.mapped("product_uom_qty"))

    def _deliver(self, order, product, qty):
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        picking.action_assign()
        move = picking.move_ids.filtered(lambda m: m.product_id == product)
        move.quantity = qty
        move.picked = True
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            Form(self.env["stock.backorder.confirmation"].with_context(**result["context"])).save().process()
        return picking

    def _start(self, mo):
        mo.action_assign()
        mo.write({"qty_producing": 1})
        self.assertIn(mo.state, ("progress", "to_close"))

    # ------------------------------------------------------------------
    # Creating a request
    # ------------------------------------------------------------------
    def test_request_from_order_prefills_lines(self):
        order = self._confirmed([(self.pump, 2, 1000.0), (self.stocked, 4, 50.0)])
        action = order.with_user(self.salesman).action_request_change()
        self.assertEqual(action["res_model"], "fulfilment.change.request")
        form = Form(self.Request.with_user(self.salesman).with_context(**action["context"]))
        form.change_type = "quantity"
        form.reason = "Customer needs one more pump"
        self.assertEqual(len(form.line_ids), 2)
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.old_qty, 2)
            self.assertEqual(line.new_qty, 2)
            line.new_qty = 3
        request = form.save()
        self.assertTrue(request.name.startswith("CR/"))
        self.assertEqual(request.order_id, order)
        self.assertEqual(request.user_id, self.salesman)
        pump_line = request.line_ids.filtered(lambda l: l.old_product_id == self.pump)
        self.assertEqual((pump_line.old_qty, pump_line.new_qty), (2, 3))
        self.assertEqual(request.line_ids.filtered("is_changed"), pump_line)
        self.assertEqual(request.new_amount_untaxed, order.amount_untaxed + 1000.0)
        self.assertEqual(order.fulfilment_change_request_count, 1)
        # The impact: the pump's manufacturing orders and the delivery.
        self.assertTrue(request.affected_production_ids)
        self.assertIn(self.pump, request.affected_production_ids.product_id)
        self.assertIn(self.subassembly, request.affected_production_ids.product_id)
        self.assertEqual(request.affected_picking_ids, order.picking_ids)
        self.assertFalse(request.production_started)

    def test_lines_filled_on_create(self):
        order = self._confirmed([(self.stocked, 4, 50.0)])
        request = self._request(order, "price")
        self.assertEqual(len(request.line_ids), 1)
        self.assertEqual(request.line_ids.old_price_unit, 50.0)
        self.assertEqual(request.line_ids.new_price_unit, 50.0)
        self.assertEqual(request.line_ids.old_product_id, self.stocked)

    def test_only_confirmed_orders(self):
        quotation = self._create_order()
        with self.assertRaises(UserError):
            self._request(quotation, "quantity")
        with self.assertRaises(UserError):
            quotation.with_user(self.salesman).action_request_change()

    # ------------------------------------------------------------------
    # Quantity
    # ------------------------------------------------------------------
    def test_quantity_increase_mto(self):
        self._no_rules()
        order = self._confirmed([(self.pump, 2, 1000.0)])
        self.assertEqual(sum(self._top_mos(order, self.pump).mapped("product_qty")), 2)
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 5
        request.action_submit()
        self.assertEqual(request.state, "approved")
        request.action_apply()
        self.assertEqual(request.state, "applied")
        self.assertEqual(order.order_line.product_uom_qty, 5)
        self.assertEqual(self._pending(order, self.pump), 5)
        self.assertEqual(sum(self._top_mos(order, self.pump).mapped("product_qty")), 5)
        self.assertEqual(sum(self._top_mos(order, self.subassembly).mapped("product_qty")), 5)
        self.assertIn("o_fulfilment_change_summary", str(request.change_summary))
        self.assertTrue(
            order.message_ids.filtered(lambda m: "o_fulfilment_change_summary" in (m.body or "")),
            "the order's chatter shows the before/after table",
        )

    def test_quantity_decrease_mto(self):
        self._no_rules()
        order = self._confirmed([(self.pump, 5, 1000.0)])
        mo = self._top_mos(order, self.pump)
        self.assertEqual(mo.product_qty, 5)
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 2
        request.action_submit()
        request.action_apply()
        self.assertEqual(order.order_line.product_uom_qty, 2)
        self.assertEqual(self._pending(order, self.pump), 2)
        self.assertEqual(
            self._top_mos(order, self.pump), mo, "the manufacturing order is resized, not replaced"
        )
        self.assertEqual(mo.product_qty, 2)
        self.assertEqual(sum(self._top_mos(order, self.subassembly).mapped("product_qty")), 2)

    def test_quantity_decrease_after_partial_delivery(self):
        self._no_rules()
        order = self._confirmed([(self.stocked, 10, 50.0)])
        self._deliver(order, self.stocked, 4)
        self.assertEqual(order.order_line.qty_delivered, 4)
        below = self._request(order, "quantity")
        below.line_ids.new_qty = 3
        with self.assertRaisesRegex(UserError, "return"):
            below.action_submit()
        self.assertEqual(below.state, "draft")
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 6
        self.assertEqual(request.line_ids.qty_delivered, 4)
        request.action_submit()
        request.action_apply()
        self.assertEqual(order.order_line.product_uom_qty, 6)
        self.assertEqual(self._pending(order, self.stocked), 2)

    def test_double_apply(self):
        self._no_rules()
        order = self._confirmed([(self.pump, 2, 1000.0)])
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 3
        request.action_submit()
        request.action_apply()
        with self.assertRaisesRegex(UserError, "only once"):
            request.action_apply()
        self.assertEqual(order.order_line.product_uom_qty, 3)
        self.assertEqual(self._pending(order, self.pump), 3)
        self.assertEqual(sum(self._top_mos(order, self.pump).mapped("product_qty")), 3)

    def test_locked_order(self):
        self._no_rules()
        order = self._confirmed([(self.stocked, 4, 50.0)])
        order.action_lock()
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 6
        request.action_submit()
        request.action_apply()
        self.assertTrue(order.locked, "the order is locked again")
        self.assertEqual(self._pending(order, self.stocked), 6)

    def test_perf_100_lines(self):
        self._no_rules()
        order = self._confirmed([(self.stocked, 1, 50.0)] * 100)
        request = self._request(order, "quantity")
        request.line_ids.write({"new_qty": 2})
        request.action_submit()
        self.env.flush_all()
        start = time.perf_counter()
        request.action_apply()
        self.env.flush_all()
        elapsed = time.perf_counter() - start
        self.assertEqual(set(order.order_line.mapped("product_uom_qty")), {2})
        self.assertEqual(self._pending(order, self.stocked), 200)
        self.assertLess(elapsed, 3.0, f"applying a 100-line change took {elapsed:.2f} s")

    def test_apply_queries_do_not_grow_with_lines(self):
        """The apply reads the lines' moves in batch: no query per changed line."""
        self._no_rules()
        counts = []
        for size in (1, 5, 25):  # the first one fills Odoo's caches
            order = self._confirmed([(self.stocked, 1, 50.0)] * size)
            request = self._request(order, "quantity")
            request.line_ids.write({"new_qty": 2})
            request.action_submit()
            self.env.flush_all()
            # Applied later, in another transaction: nothing of the order in the cache.
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            request.action_apply()
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - start)
            self.assertEqual(self._pending(order, self.stocked), 2 * size)
        # Stock Odoo's own recompute of the delivered quantity looks up a kit BoM per line
        # (sale_mrp): at most that one query per line more, none from the apply itself.
        self.assertLessEqual(counts[2] - counts[1], 20 + 5, f"queries for 1, 5 and 25 lines: {counts}")

    def test_quantity_decrease_three_levels(self):
        """The orders below a line's MO are found at every BoM level, and resized with it."""
        self._no_rules()
        station = self.env["product.product"].create(
            {
                "name": "Pumping station",
                "is_storable": True,
                "route_ids": [Command.set([self.route_mto.id, self.route_manufacture.id])],
            }
        )
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": station.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [Command.create({"product_id": self.pump.id, "product_qty": 1})],
            }
        )
        order = self._confirmed([(station, 4, 5000.0)])
        mos = order._fulfilment_collect_productions()
        self.assertEqual(set(mos.mapped("product_id")), {station, self.pump, self.subassembly})
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 2
        self.assertEqual(request.affected_production_ids, mos)
        request.action_submit()
        request.action_apply()
        self.assertEqual(mos.mapped("product_qty"), [2] * 3, "every level resized")

    # ------------------------------------------------------------------
    # The change types
    # ------------------------------------------------------------------
    def test_change_types_follow_the_selection(self):
        """The change_type selection is the one list: review rules name the types it makes."""
        field = self.Request._fields["change_type"]
        self.assertEqual(
            [code for code, __ in field.selection], ["quantity", "price", "product", "date", "cancel"]
        )
        Type = self.env["fulfilment.change.type"]
        types = Type.search([("code", "in", [code for code, __ in field.selection])])
        self.assertEqual([(t.code, t.name) for t in types], list(field.selection))
        for code, __ in field.selection:
            self.assertEqual(self.env.ref(f"order_fulfilment.change_type_{code}").code, code)
        # Translated like the selection, from the module's translations.
        load_chinese(self.env)
        cancel = self.env.ref("order_fulfilment.change_type_cancel").with_context(lang="zh_CN")
        self.assertEqual(cancel.name, "取消订单")
        # A value added to the selection gets its type at the next update of the module.
        with patch.object(field, "selection", [*field.selection, ("warranty", "Warranty Change")]):
            Type._sync_from_selection()
        warranty = self.env.ref("order_fulfilment.change_type_warranty")
        self.assertEqual((warranty.code, warranty.name), ("warranty", "Warranty Change"))
        self.assertEqual(Type.search([("code", "!=", False)])[-1], warranty, "ordered like the selection")

    # ------------------------------------------------------------------
    # Price, product, date, cancel
    # ------------------------------------------------------------------
    def test_price(self):
        self._no_rules()
        order = self._confirmed([(self.pump, 2, 1000.0), (self.stocked, 4, 50.0)])
        request = self._request(order, "price")
        request.line_ids.filtered(lambda l: l.old_product_id == self.pump).new_price_unit = 900.0
        expected_untaxed = request.new_amount_untaxed
        expected_total = request.new_amount_total
        self.assertEqual(expected_untaxed, order.amount_untaxed - 200.0)
        request.action_submit()
        request.action_apply()
        pump_line = order.order_line.filtered(lambda l: l.product_id == self.pump)
        self.assertEqual(pump_line.price_unit, 900.0)
        self.assertEqual(order.amount_untaxed, expected_untaxed)
        self.assertAlmostEqual(order.amount_total, expected_total)

    def test_product(self):
        self._no_rules()
        order = self._confirmed([(self.pump, 2, 1000.0)])
        old_mos = self._top_mos(order, self.pump) | self._top_mos(order, self.subassembly)
        self.assertEqual(len(old_mos), 2)
        request = self._request(order, "product")
        request.line_ids.write({"new_product_id": self.stocked.id, "new_price_unit": 55.0})
        request.action_submit()
        request.action_apply()
        old_line = order.order_line.filtered(lambda l: l.product_id == self.pump)
        new_line = order.order_line.filtered(lambda l: l.product_id == self.stocked)
        self.assertEqual(old_line.product_uom_qty, 0)
        self.assertEqual((new_line.product_uom_qty, new_line.price_unit), (2, 55.0))
        self.assertEqual(set(old_mos.mapped("state")), {"cancel"})
        self.assertEqual(self._pending(order, self.pump), 0)
        self.assertEqual(self._pending(order, self.stocked), 2)

    def test_product_refused_once_delivered(self):
        order = self._confirmed([(self.stocked, 4, 50.0)])
        self._deliver(order, self.stocked, 1)
        request = self._request(order, "product")
        request.line_ids.new_product_id = self.pump
        with self.assertRaisesRegex(UserError, "delivered"):
            request.action_submit()

    def test_date(self):
        self._no_rules()
        old_date = fields.Datetime.now() + timedelta(days=10)
        new_date = datetime(2031, 5, 20, 8, 0)
        order = self._confirmed([(self.stocked, 4, 50.0)], commitment_date=old_date)
        request = self._request(order, "date", new_commitment_date=new_date)
        with self.assertRaisesRegex(UserError, "written request"):
            request.action_submit()
        request.customer_document_ids = self._document()
        request.action_submit()
        request.action_apply()
        self.assertEqual(order.commitment_date, new_date)
        picking = order.picking_ids
        self.assertEqual(picking.scheduled_date, new_date)
        self.assertEqual(picking.move_ids.date_deadline, new_date)
        self.assertEqual(picking.date_deadline, new_date)

    def test_date_unchanged_refused(self):
        date = datetime(2031, 5, 20, 8, 0)
        order = self._confirmed([(self.stocked, 4, 50.0)], commitment_date=date)
        request = self._request(order, "date", new_commitment_date=date)
        request.customer_document_ids = self._document()
        with self.assertRaisesRegex(UserError, "nothing changes"):
            request.action_submit()

    def test_cancel(self):
        self._no_rules()
        order = self._confirmed([(self.pump, 2, 1000.0), (self.stocked, 1, 50.0)])
        mos = self._top_mos(order, self.pump) | self._top_mos(order, self.subassembly)
        request = self._request(order, "cancel")
        self.assertEqual(request.new_amount_total, 0)
        with self.assertRaisesRegex(UserError, "written request"):
            request.action_submit()
        request.customer_document_ids = self._document()
        request.action_submit()
        request.action_apply()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(set(order.picking_ids.mapped("state")), {"cancel"})
        self.assertEqual(set(mos.mapped("state")), {"cancel"})

    def test_cancel_refused_after_delivery(self):
        order = self._confirmed([(self.stocked, 2, 50.0)])
        self._deliver(order, self.stocked, 2)
        request = self._request(order, "cancel")
        request.customer_document_ids = self._document()
        with self.assertRaisesRegex(UserError, "return"):
            request.action_submit()

    def test_nothing_changed_refused(self):
        order = self._confirmed([(self.stocked, 2, 50.0)])
        for change_type in ("quantity", "price", "product"):
            request = self._request(order, change_type)
            with self.assertRaisesRegex(UserError, "no line changes"):
                request.action_submit()

    def test_reason_required(self):
        order = self._confirmed([(self.stocked, 2, 50.0)])
        request = self._request(order, "quantity", reason="   ")
        request.line_ids.new_qty = 3
        with self.assertRaisesRegex(UserError, "reason"):
            request.action_submit()

    # ------------------------------------------------------------------
    # Production started: block or review again
    # ------------------------------------------------------------------
    def test_started_block(self):
        order = self._confirmed([(self.pump, 2, 1000.0)])
        self._start(self._top_mos(order, self.pump))
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 3
        self.assertTrue(request.production_started)
        self.assertTrue(request.line_ids.production_started)
        with self.assertRaisesRegex(UserError, "started"):
            request.action_submit()
        # A price change is still possible.
        price = self._request(order, "price")
        price.line_ids.new_price_unit = 990.0
        price.action_submit()
        self.assertEqual(price.state, "submitted")

    def test_started_re_review(self):
        self.company.fulfilment_started_change_policy = "re_review"
        order = self._confirmed([(self.pump, 2, 1000.0)])
        self._start(self._top_mos(order, self.pump))
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 3
        request.action_submit()
        self.assertEqual(request.state, "submitted")
        reviews = request._review_current()
        production = self.env.ref("order_fulfilment.group_review_production")
        self.assertEqual(reviews.sorted("sequence")[0].group_id, production)
        self.assertEqual(reviews.sorted("sequence")[0].state, "pending")
        with self.assertRaises(UserError):
            request.with_user(self.manager).action_review_approve()
        request.with_user(self.producer).action_review_approve()
        request.with_user(self.manager).action_review_approve()
        request.with_user(self.director).action_review_approve()
        self.assertEqual(request.state, "approved")

    # ------------------------------------------------------------------
    # Approval
    # ------------------------------------------------------------------
    def test_two_step_approval_and_deadline(self):
        order = self._confirmed([(self.stocked, 2, 50.0)])
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 3
        self.assertEqual(request.review_state, "draft")
        with freeze_time("2030-01-10 08:00:00"):
            request.action_submit()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.response_deadline, datetime(2030, 1, 10, 8, 30))
        reviews = request._review_current().sorted("sequence")
        self.assertEqual(reviews.mapped("sequence"), [10, 20])
        self.assertEqual(reviews.mapped("state"), ["pending", "waiting"])
        self.assertIn(request, self.Request.with_user(self.manager).search([("can_decide", "=", True)]))
        self.assertNotIn(request, self.Request.with_user(self.director).search([("can_decide", "=", True)]))
        with self.assertRaises(UserError):
            request.action_apply()
        request.with_user(self.manager).action_review_approve()
        self.assertEqual(request.state, "submitted")
        self.assertIn(request, self.Request.with_user(self.director).search([("can_decide", "=", True)]))
        request.with_user(self.director).action_review_approve()
        self.assertEqual(request.state, "approved")
        self.assertTrue(request.activity_ids.filtered(lambda a: a.user_id == self.salesman))
        request.action_apply()
        self.assertEqual(order.order_line.product_uom_qty, 3)

    def test_reject(self):
        order = self._confirmed([(self.stocked, 2, 50.0)])
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 3
        request.action_submit()
        action = request.with_user(self.manager).action_review_reject()
        wizard = (
            self.env["fulfilment.review.reject"]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"comment": "No capacity"})
        )
        wizard.action_reject()
        self.assertEqual(request.state, "rejected")
        with self.assertRaises(UserError):
            request.action_apply()
        self.assertEqual(order.order_line.product_uom_qty, 2)

    def test_no_rule_approves_on_submit(self):
        self._no_rules()
        order = self._confirmed([(self.stocked, 2, 50.0)])
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 3
        request.action_submit()
        self.assertEqual(request.state, "approved")
        self.assertFalse(request.review_ids)

    def test_escalation(self):
        order = self._confirmed([(self.stocked, 2, 50.0)])
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 3
        with freeze_time("2030-01-10 08:00:00"):
            request.action_submit()
        with freeze_time("2030-01-10 08:20:00"):
            request._escalate_response()
            self.assertFalse(request.response_escalated)
            self.assertFalse(request.is_overdue)
        with freeze_time("2030-01-10 08:31:00"):
            request.invalidate_recordset(["is_overdue"])
            self.assertTrue(request.is_overdue)
            self.assertIn(request, self.Request.search([("is_overdue", "=", True)]))
            request._escalate_response()
            request._escalate_response()
        self.assertTrue(request.response_escalated)
        todos = request.activity_ids.filtered(
            lambda a: a.user_id == self.director and "Overdue" in (a.summary or "")
        )
        self.assertEqual(len(todos), 1, "escalated once, to the sales director")
        self.assertTrue(order.message_ids.filtered(lambda m: request.name in (m.body or "")))

    def test_cancel_request(self):
        order = self._confirmed([(self.stocked, 2, 50.0)])
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 3
        request.action_submit()
        with self.assertRaises(AccessError):
            request.with_user(self.other_salesman).action_cancel()
        request.action_cancel()
        self.assertEqual(request.state, "cancelled")
        self.assertEqual(set(request.review_ids.mapped("state")), {"cancelled"})
        with self.assertRaises(UserError):
            request.action_cancel()

    # ------------------------------------------------------------------
    # Permissions
    # ------------------------------------------------------------------
    def test_permissions(self):
        own = self._confirmed([(self.stocked, 2, 50.0)])
        other = self._confirmed([(self.stocked, 2, 50.0)], user=self.other_salesman)
        with self.assertRaises(AccessError):
            self._request(other, "quantity")
        request = self._request(own, "quantity")
        request.line_ids.new_qty = 3
        with self.assertRaises(AccessError):
            request.write({"state": "approved"})
        with self.assertRaises(AccessError):
            self._request(own, "quantity", state="approved")
        with self.assertRaises(AccessError):
            request.line_ids.write({"old_qty": 3})
        request.action_submit()
        with self.assertRaises(UserError):
            request.line_ids.write({"new_qty": 4})
        # The requester and salesperson cannot approve, nor can other departments.
        with self.assertRaises(UserError):
            request.action_review_approve()
        with self.assertRaises(UserError):
            request.with_user(self.producer).action_review_approve()
        request.with_user(self.manager).action_review_approve()
        request.with_user(self.director).action_review_approve()
        # Only who may change the order applies the change.
        with self.assertRaises(AccessError):
            request.with_user(self.producer).action_apply()
        with self.assertRaises(AccessError):
            request.with_user(self.other_salesman).action_apply()
        self.assertEqual(request.state, "approved")
        request.action_apply()
        self.assertEqual(own.order_line.product_uom_qty, 3)

    def test_reviewer_reads_request(self):
        self.company.fulfilment_started_change_policy = "re_review"
        order = self._confirmed([(self.pump, 2, 1000.0)])
        self._start(self._top_mos(order, self.pump))
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 3
        self.assertFalse(self.Request.with_user(self.producer).search([("id", "=", request.id)]))
        request.action_submit()
        found = self.Request.with_user(self.producer).search([("id", "=", request.id)])
        self.assertEqual(found, request)
        self.assertEqual(found.line_ids.new_qty, 3)
        with self.assertRaises(AccessError):
            found.with_user(self.producer).write({"reason": "changed"})

    # ------------------------------------------------------------------
    # Printed change notice
    # ------------------------------------------------------------------
    def test_report(self):
        order = self._confirmed([(self.stocked, 2, 50.0)])
        request = self._request(order, "quantity")
        request.line_ids.new_qty = 3
        self._approve_all(request)
        html, __ = self.env["ir.actions.report"]._render_qweb_html(
            "order_fulfilment.fulfilment_change_request_report", request.ids
        )
        html = html.decode()
        self.assertIn(request.name, html)
        self.assertIn(order.name, html)
        self.assertIn("Mia Manager", html)
        self.assertIn("Dan Director", html)
        self.assertIn("Customer asked", html)
