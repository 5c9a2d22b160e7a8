from odoo import Command
from odoo.tests import Form, tagged

from .common import FulfilmentCase, staff_user


@tagged("post_install", "-at_install")
class TestOrderCompletion(FulfilmentCase):
    """Order completion (订单完成): produced, passed inspection and nothing left to ship."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo's own notifications (the short-shipment activity of sale_stock) go out from the
        # company's default sender: the staff have no address.
        cls.env["mail.alias.domain"].create({"name": "harbin-pumps.example.com"})
        cls.storekeeper = staff_user(
            cls.env, "of_oc_store", "stock.group_stock_user", name="Wang Storekeeper"
        )
        cls.planner = staff_user(
            cls.env, "of_oc_planner", "mrp.group_mrp_user,stock.group_stock_user", name="Li Planner"
        )
        cls.seller = staff_user(
            cls.env, "of_oc_seller", "sales_team.group_sale_salesman_all_leads", name="Zhao Seller"
        )

    def _pump_inspection(self, suffix):
        """The company's quality gate off and a final inspection of the pump: its inspector and
        quality manager (logins ending in ``suffix``)."""
        inspector = staff_user(self.env, f"of_oc_inspector{suffix}", "order_fulfilment.group_review_quality")
        manager = staff_user(self.env, f"of_oc_qmanager{suffix}", "order_fulfilment.group_quality_manager")
        self.company.fulfilment_quality_gate = False
        self.env["fulfilment.quality.point"].with_user(manager).create(
            {
                "name": "Pump final inspection",
                "operation": "production",
                "product_ids": [Command.set(self.pump.ids)],
                "item_ids": [Command.create({"name": "Pressure test", "kind": "passfail"})],
            }
        )
        return inspector, manager

    def _produce_all(self, productions):
        """Produce ``productions``, the pump's MO last."""
        for production in productions.sorted(lambda mo: mo.product_id == self.pump):
            self._produce(production)

    def _confirmed(self, lines):
        order = self._create_order(lines)
        order.action_confirm()
        return order

    def _delivery(self, order):
        return order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )

    def _ship(self, order, qty=None, backorder=True):
        picking = self._delivery(order).with_user(self.storekeeper)
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty if qty is None else qty
        picking.move_ids.picked = True
        res = picking.button_validate()
        if isinstance(res, dict) and res.get("res_model") == "stock.backorder.confirmation":
            wizard = Form(
                self.env["stock.backorder.confirmation"]
                .with_user(self.storekeeper)
                .with_context(**res["context"])
            ).save()
            if backorder:
                wizard.process()
            else:
                wizard.process_cancel_backorder()
        self.assertEqual(picking.state, "done")
        return picking

    def _produce(self, production):
        """Produced by the planner."""
        return super()._produce(production.with_user(self.planner))

    def _completed_seen_by_seller(self, order):
        """What the salesperson's "Completed" filter finds of the order."""
        return bool(
            self.env["sale.order"]
            .with_user(self.seller)
            .search([("id", "=", order.id), ("fulfilment_completed", "=", True)])
        )

    def test_stock_order_completes_when_delivered_in_full(self):
        order = self._confirmed([(self.stocked, 10, 50.0)])
        self.assertFalse(order.fulfilment_completed)
        self._ship(order, qty=6)
        self.assertFalse(order.fulfilment_completed, "4 of 10 still to ship: not complete")
        self.assertFalse(self._completed_seen_by_seller(order))
        self._ship(order)
        self.assertTrue(order.fulfilment_completed)
        self.assertTrue(self._completed_seen_by_seller(order))

    def test_short_closed_order_is_complete(self):
        """Shipped short with the backorder cancelled (closed short): nothing is left to ship,
        the order is complete though not delivered in full."""
        order = self._confirmed([(self.stocked, 10, 50.0)])
        self._ship(order, qty=6, backorder=False)
        self.assertTrue(order.fulfilment_delivery_closed)
        self.assertFalse(order.fulfilment_fully_delivered)
        self.assertTrue(order.fulfilment_completed, "Closed short: nothing left to ship")
        self.assertTrue(self._completed_seen_by_seller(order))

    def test_short_closed_order_waits_for_its_open_mo(self):
        """Closed short while its MO is still open: complete once the MO is cancelled."""
        self.env["stock.quant"]._update_available_quantity(self.pump, self.stock_location, 1)
        order = self._confirmed([(self.pump, 2, 1000.0)])
        productions = order._fulfilment_collect_productions()
        picking = self._delivery(order).with_user(self.storekeeper)
        picking.move_ids.write({"procure_method": "make_to_stock", "move_orig_ids": [(5, 0, 0)]})
        self._ship(order, qty=1, backorder=False)
        self.assertTrue(order.fulfilment_delivery_closed)
        self.assertEqual(set(productions.mapped("state")), {"confirmed"})
        self.assertFalse(order.fulfilment_completed, "The MOs are still open")
        productions.with_user(self.planner).action_cancel()
        self.assertEqual(set(productions.mapped("state")), {"cancel"})
        self.assertTrue(order.fulfilment_completed)

    def test_short_closed_order_waits_for_its_inspection(self):
        """Closed short before the inspection of what shipped (the quality gate off): complete
        once the inspection passes."""
        inspector, __ = self._pump_inspection("2")
        order = self._confirmed([(self.pump, 2, 1000.0)])
        productions = order._fulfilment_collect_productions()
        self._produce_all(productions)
        self._ship(order, qty=1, backorder=False)
        self.assertTrue(order.fulfilment_delivery_closed)
        check = self.env["fulfilment.quality.check"].search([("production_id", "in", productions.ids)])
        self.assertEqual(check.state, "todo")
        self.assertFalse(order.fulfilment_completed, "The inspection still holds the pumps")
        check.line_ids.with_user(inspector).action_fulfilment_pass()
        check.with_user(inspector).action_done()
        self.assertTrue(order.fulfilment_completed)

    def test_cancelled_delivery_with_nothing_shipped_is_not_complete(self):
        order = self._confirmed([(self.stocked, 10, 50.0)])
        self._delivery(order).action_cancel()
        self.assertFalse(order.fulfilment_delivery_closed, "Nothing was delivered")
        self.assertFalse(order.fulfilment_completed)

    def test_manufactured_order_completes_once_produced_and_delivered(self):
        order = self._confirmed([(self.pump, 2, 1000.0)])
        productions = order._fulfilment_collect_productions()
        self.assertEqual(len(productions), 2, "The pump MO and its sub-assembly MO")
        self._produce_all(productions)
        self.assertFalse(order.fulfilment_completed, "Produced but not shipped")
        self._ship(order)
        self.assertTrue(order.fulfilment_completed)

    def test_order_shipped_before_its_mo_closes_completes_when_it_closes(self):
        """The goods shipped from stock while the order's MO was still open: the order
        completes when the MO is done, not before."""
        self.env["stock.quant"]._update_available_quantity(self.pump, self.stock_location, 2)
        order = self._confirmed([(self.pump, 2, 1000.0)])
        productions = order._fulfilment_collect_productions()
        picking = self._delivery(order).with_user(self.storekeeper)
        # The storekeeper takes the pumps from stock instead of waiting for the MO.
        picking.move_ids.write({"procure_method": "make_to_stock", "move_orig_ids": [(5, 0, 0)]})
        self._ship(order)
        self.assertTrue(order.fulfilment_fully_delivered)
        self.assertFalse(order.fulfilment_completed, "The MO is still open: not produced yet")
        self._produce_all(productions)
        self.assertTrue(order.fulfilment_completed)
        self.assertTrue(self._completed_seen_by_seller(order))

    def test_inspection_then_disposition_complete_the_order(self):
        """With the company's quality gate off, the pumps ship before their inspection: the
        order is complete only once the inspection passes, or its nonconformity is decided."""
        inspector, manager = self._pump_inspection("")
        orders = self._confirmed([(self.pump, 1, 1000.0)]) | self._confirmed([(self.pump, 1, 1000.0)])
        for order in orders:
            productions = order._fulfilment_collect_productions()
            self._produce_all(productions)
            self._ship(order)
        passed, failed = orders
        Check = self.env["fulfilment.quality.check"]
        checks = {
            order: Check.search([("production_id", "in", order._fulfilment_collect_productions().ids)])
            for order in orders
        }
        self.assertEqual([len(checks[order]) for order in orders], [1, 1], "One inspection per pump MO")
        self.assertEqual(orders.mapped("fulfilment_completed"), [False, False], "Not inspected yet")

        checks[passed].line_ids.with_user(inspector).action_fulfilment_pass()
        checks[passed].with_user(inspector).action_done()
        self.assertTrue(passed.fulfilment_completed)

        checks[failed].line_ids.with_user(inspector).action_fulfilment_fail()
        checks[failed].with_user(inspector).action_done()
        self.assertEqual(checks[failed].state, "fail")
        self.assertFalse(failed.fulfilment_completed, "Failed, no disposition yet")
        nonconformity = checks[failed].nonconformity_ids.with_user(manager)
        nonconformity.disposition = "sort"
        nonconformity.action_decide()
        self.assertEqual(nonconformity.state, "decided")
        self.assertTrue(failed.fulfilment_completed)
        self.assertTrue(self._completed_seen_by_seller(failed))

    def test_undelivered_orders_cost_no_query(self):
        """Confirming or changing an order that is not delivered computes the flag from the
        order's own fields: no query."""
        orders = self._confirmed([(self.stocked, 1, 50.0)]) | self._confirmed([(self.pump, 1, 1000.0)])
        self.env.flush_all()
        orders.mapped("state")
        orders.mapped("fulfilment_fully_delivered")
        self.env.add_to_compute(orders._fields["fulfilment_completed"], orders)
        with self.assertQueryCount(0):
            self.assertEqual(orders.mapped("fulfilment_completed"), [False, False])

    def test_analysis_counts_completed_orders(self):
        done = self._confirmed([(self.stocked, 5, 50.0)])
        short = self._confirmed([(self.stocked, 5, 50.0)])
        self._ship(done)
        self._ship(short, qty=2, backorder=False)
        # Shipped from stock while its MO is still open: nothing left to ship, not complete.
        self.env["stock.quant"]._update_available_quantity(self.pump, self.stock_location, 1)
        unmade = self._confirmed([(self.pump, 1, 1000.0)])
        self._delivery(unmade).move_ids.write(
            {"procure_method": "make_to_stock", "move_orig_ids": [(5, 0, 0)]}
        )
        self._ship(unmade)
        orders = done | short | unmade
        Analysis = self.env["fulfilment.analysis"]
        rows = {row.order_id: row for row in Analysis.search([("order_id", "in", orders.ids)])}
        self.assertEqual((rows[done].completed_count, rows[done].completion_rate), (1, 100.0))
        self.assertEqual(
            (rows[short].completed_count, rows[short].completion_rate), (1, 100.0), "Closed short"
        )
        self.assertEqual((rows[unmade].completed_count, rows[unmade].completion_rate), (0, 0.0))
        [(completed, rate)] = Analysis._read_group(
            [("order_id", "in", orders.ids)], [], ["completed_count:sum", "completion_rate:avg"]
        )
        self.assertEqual(completed, 2)
        self.assertAlmostEqual(rate, 200.0 / 3)
