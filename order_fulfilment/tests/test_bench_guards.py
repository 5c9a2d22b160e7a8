from odoo.tests import tagged
from odoo.tools import SQL

from .common import FulfilmentCase


@tagged("post_install", "-at_install")
class TestBenchGuards(FulfilmentCase):
    """Query budgets of stock flows that the addon must leave as cheap as stock Odoo.

    Stock Odoo and the addon cannot be compared in one database (bench/run.py
    does that on two), so these pin absolute bounds: the count measured with
    nothing configured, plus a small margin. Raise a bound only with a reason.
    """

    # Confirming a quotation of a manufactured MTO pump (two-level BoM: 2 MOs)
    # and a stocked product, with tracking on, no review rules: 165 queries with
    # the bare addon skeleton, 179 with every feature (2026-11-22, Odoo 18.0).
    # Most of the difference is paid once per transaction, not per order: over
    # 200 orders `make bench` measures 188 queries per order against 187 for
    # stock Odoo (ratio 1.005). Bound = 179 + 5 %.
    CONFIRM_QUERY_BOUND = 188

    def _queries(self, fn):
        self.env.flush_all()
        start = self.cr.sql_log_count
        fn()
        self.env.flush_all()
        return self.cr.sql_log_count - start

    def test_confirm_without_rules_stays_cheap(self):
        env = self.env(context={})
        lines = [(self.pump, 1, 1000.0), (self.stocked, 2, 50.0)]
        # The first confirmation fills the registry caches; the second is measured.
        self._create_order(lines).with_env(env).action_confirm()
        order = self._create_order(lines).with_env(env)
        count = self._queries(order.action_confirm)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.picking_ids.move_ids.product_id, self.pump | self.stocked)
        self.assertEqual(len(order.mrp_production_ids), 2)
        self.assertLessEqual(
            count,
            self.CONFIRM_QUERY_BOUND,
            f"Confirming {order.name} took {count} queries, over the bound of {self.CONFIRM_QUERY_BOUND}: "
            "find the addon code that added them (bench/README.md) before raising the bound.",
        )

    def test_at_risk_search_is_one_set_based_query(self):
        """The at-risk search is one query, without a sub-plan per order.

        A correlated sub-query per order ran fast but made PostgreSQL compile the
        query (JIT) for seconds over 20,000 orders (bench/README.md).
        """
        SaleOrder = self.env["sale.order"]
        soon = self.env.cr.now().replace(tzinfo=None)
        orders = self._create_order([(self.stocked, 1, 50.0)]) | self._create_order([(self.stocked, 1, 50.0)])
        orders.action_confirm()
        orders[0].commitment_date = soon
        self.env.flush_all()
        start = self.cr.sql_log_count
        found = SaleOrder.search([("fulfilment_at_risk", "=", True), ("id", "in", orders.ids)])
        self.assertEqual(self.cr.sql_log_count - start, 1)
        self.assertEqual(found, orders[0], "Due now and not delivered: at risk")
        self.env.cr.execute(SQL("EXPLAIN SELECT id FROM %s AS risk", SaleOrder._fulfilment_at_risk_sql()))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.assertNotIn("SubPlan", plan)
