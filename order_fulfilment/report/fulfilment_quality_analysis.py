from odoo import fields, models
from odoo.tools import SQL

from ..models.fulfilment_quality_point import OPERATIONS
from ..tools.orm import flush_sql
from .fulfilment_analysis import average_measure


class FulfilmentQualityAnalysis(models.Model):
    """Quality pass rate beside the on-time-in-full rate (质量合格率与订单履约率).

    Two kinds of rows in one view, so that grouping by product, category or month shows both
    rates side by side (each average ignores the rows of the other kind):
      - one row per finished inspection: passed or failed, with its product, supplier (for a
        receipt), work centre (for a manufacturing order) and month;
      - one row per delivered order line of an order with nothing left to ship: on time in full
        or not, with its product and the month of the last delivery.
    """

    _name = "fulfilment.quality.analysis"
    _description = "Quality Pass Rate Analysis"
    _auto = False
    _order = "date desc"

    kind = fields.Selection(
        [("inspection", "Inspection"), ("delivery", "Delivered Order Line")], readonly=True
    )
    date = fields.Datetime(readonly=True, help="When the goods were inspected, or delivered.")
    check_id = fields.Many2one("fulfilment.quality.check", "Inspection", readonly=True)
    order_id = fields.Many2one("sale.order", "Sales Order", readonly=True)
    operation = fields.Selection(OPERATIONS, readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    supplier_id = fields.Many2one("res.partner", readonly=True)
    workcenter_id = fields.Many2one("mrp.workcenter", "Work Centre", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)

    check_count = fields.Integer("Inspections", readonly=True)
    passed_count = fields.Integer("Passed", readonly=True)
    failed_count = fields.Integer("Failed", readonly=True)
    pass_rate = average_measure("Pass Rate (%)", help="Of the finished inspections, the share passed.")
    qty_inspected = fields.Float("Quantity Inspected", readonly=True)
    qty_failed = fields.Float("Quantity Failed", readonly=True)
    delivered_line_count = fields.Integer("Delivered Lines", readonly=True)
    otif_rate = average_measure(
        "On-Time-In-Full Rate (%)",
        help="Of the delivered order lines, the share whose order was delivered in full by the "
        "promised date.",
    )

    @property
    def _table_query(self):
        flush = flush_sql(
            self.env,
            {
                "fulfilment.quality.check": [
                    "state",
                    "date_done",
                    "product_id",
                    "partner_id",
                    "workcenter_id",
                    "operation",
                    "qty_inspected",
                    "qty_failed",
                ],
                "sale.order": [
                    "state",
                    "fulfilment_delivery_closed",
                    "fulfilment_delivered_date",
                    "on_time_in_full",
                ],
                "sale.order.line": ["product_id", "display_type"],
            },
        )
        return SQL(
            """
            SELECT
                qc.id * 2 AS id,
                'inspection' AS kind,
                qc.date_done AS date,
                qc.id AS check_id,
                NULL::integer AS order_id,
                qc.operation AS operation,
                qc.product_id AS product_id,
                pt.categ_id AS categ_id,
                CASE WHEN qc.operation = 'receipt' THEN qc.partner_id END AS supplier_id,
                qc.workcenter_id AS workcenter_id,
                qc.company_id AS company_id,
                1 AS check_count,
                CASE WHEN qc.state = 'pass' THEN 1 ELSE 0 END AS passed_count,
                CASE WHEN qc.state = 'fail' THEN 1 ELSE 0 END AS failed_count,
                CASE WHEN qc.state = 'pass' THEN 100.0 ELSE 0.0 END AS pass_rate,
                COALESCE(qc.qty_inspected, 0) AS qty_inspected,
                COALESCE(qc.qty_failed, 0) AS qty_failed,
                0 AS delivered_line_count,
                NULL::float AS otif_rate
            FROM fulfilment_quality_check qc
            JOIN product_product pp ON pp.id = qc.product_id
            JOIN product_template pt ON pt.id = pp.product_tmpl_id
            WHERE qc.state IN ('pass', 'fail')
            UNION ALL
            SELECT
                sol.id * 2 + 1 AS id,
                'delivery' AS kind,
                so.fulfilment_delivered_date AS date,
                NULL::integer AS check_id,
                so.id AS order_id,
                NULL AS operation,
                sol.product_id AS product_id,
                pt.categ_id AS categ_id,
                NULL::integer AS supplier_id,
                NULL::integer AS workcenter_id,
                so.company_id AS company_id,
                0 AS check_count,
                0 AS passed_count,
                0 AS failed_count,
                NULL::float AS pass_rate,
                0 AS qty_inspected,
                0 AS qty_failed,
                1 AS delivered_line_count,
                CASE WHEN so.on_time_in_full THEN 100.0 ELSE 0.0 END AS otif_rate
            FROM sale_order_line sol
            JOIN sale_order so ON so.id = sol.order_id
            JOIN product_product pp ON pp.id = sol.product_id
            JOIN product_template pt ON pt.id = pp.product_tmpl_id
            WHERE so.state = 'sale'
              AND so.fulfilment_delivery_closed
              AND sol.display_type IS NULL
              AND pt.type = 'consu'
              AND sol.product_uom_qty > 0
              AND NOT COALESCE(sol.is_downpayment, FALSE)
              %(flush)s
            """,
            flush=flush,
        )
