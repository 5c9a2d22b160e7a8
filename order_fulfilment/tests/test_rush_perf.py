import logging
import time
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .common import FulfilmentCase

_logger = logging.getLogger(__name__)

ORDERS = 20000


@tagged("post_install", "-at_install", "-standard", "fulfilment_perf")
class TestAtRiskSearchSpeed(FulfilmentCase):
    """Run with --test-tags fulfilment_perf: the at-risk search over 20,000 confirmed orders."""

    def _clone(self, table, source_id, order_ids, overrides):
        cr = self.env.cr
        cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s AND column_name != 'id' AND is_generated = 'NEVER'",
            [table],
        )
        columns = [row[0] for row in cr.fetchall()]
        values = [overrides.get(column, SQL.identifier("src", column)) for column in columns]
        cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT %s FROM %s src, unnest(%s::int[]) AS so(id) "
                "WHERE src.id = %s RETURNING id",
                SQL.identifier(table),
                SQL(", ").join(SQL.identifier(column) for column in columns),
                SQL(", ").join(values),
                SQL.identifier(table),
                order_ids,
                source_id,
            )
        )
        return [row[0] for row in cr.fetchall()]

    def test_search_20000_orders(self):
        order = self._create_order(commitment_date=fields.Datetime.now() + timedelta(days=30))
        order.action_confirm()
        production = order.fulfilment_production_ids[:1]
        picking = order.picking_ids
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """INSERT INTO sale_order (%s)
                   SELECT %s FROM sale_order src, generate_series(1, %s) g WHERE src.id = %s RETURNING id""",
                SQL(
                    "name, commitment_date, state, company_id, partner_id, partner_invoice_id, "
                    "partner_shipping_id, pricelist_id, currency_id, date_order, user_id, warehouse_id, "
                    "picking_policy, is_rush"
                ),
                SQL(
                    "src.name || '-' || g, now() at time zone 'UTC' + (g %% 60) * interval '1 day', "
                    "src.state, src.company_id, src.partner_id, src.partner_invoice_id, "
                    "src.partner_shipping_id, src.pricelist_id, src.currency_id, src.date_order, "
                    "src.user_id, src.warehouse_id, src.picking_policy, g %% 10 = 0"
                ),
                ORDERS,
                order.id,
            )
        )
        order_ids = [row[0] for row in cr.fetchall()]
        self._clone(
            "stock_picking",
            picking.id,
            order_ids,
            {
                "name": SQL("src.name || '-' || so.id"),
                "sale_id": SQL("so.id"),
                "scheduled_date": SQL("now() at time zone 'UTC' + (so.id %% 70) * interval '1 day'"),
            },
        )
        self._clone(
            "mrp_production",
            production.id,
            order_ids,
            {
                "name": SQL("src.name || '-' || so.id"),
                "fulfilment_sale_id": SQL("so.id"),
                "date_finished": SQL("now() at time zone 'UTC' + (so.id %% 65) * interval '1 day'"),
            },
        )
        cr.execute("ANALYZE sale_order, stock_picking, mrp_production")
        Order = self.env["sale.order"]
        timings = []
        for _attempt in range(3):
            self.env.invalidate_all()
            start = time.perf_counter()
            found = Order.search([("fulfilment_at_risk", "=", True)])
            timings.append(time.perf_counter() - start)
        count = len(found)
        start = time.perf_counter()
        filtered_count = Order.search_count([("fulfilment_at_risk", "=", True), ("is_rush", "=", True)])
        rush_time = time.perf_counter() - start
        _logger.info(
            "at-risk search over %s confirmed orders: %s found in %.3fs (best of 3; runs %s); "
            "rush and at risk: %s in %.3fs",
            ORDERS + 1,
            count,
            min(timings),
            ", ".join(f"{t:.3f}" for t in timings),
            filtered_count,
            rush_time,
        )
        self.assertTrue(0 < count < ORDERS)
        self.assertLess(min(timings), 1.0)
