from odoo import api, fields, models
from odoo.tools import SQL

from ..models.fulfilment_review_mixin import REVIEW_STATE
from ..tools.orm import flush_sql


def average_measure(*args, **kwargs):
    """A measure of the analysis views that grouped rows average rather than sum (a rate, a time)."""
    return fields.Float(*args, readonly=True, aggregator="avg", **kwargs)


class FulfilmentAnalysis(models.Model):
    """订单履约分析: one row per sales order, with its delivery, review, change and after-sales figures."""

    _name = "fulfilment.analysis"
    _description = "Fulfilment Analysis"
    _auto = False
    _order = "date desc"

    order_id = fields.Many2one("sale.order", readonly=True)
    name = fields.Char("Order Reference", readonly=True)
    date = fields.Datetime("Order Date", readonly=True)
    commitment_date = fields.Datetime("Promised Date", readonly=True)
    delivered_date = fields.Datetime(
        "Delivered On", readonly=True, help="When the last delivery arrived, once nothing is left to ship."
    )
    state = fields.Selection(
        [("draft", "Quotation"), ("sent", "Quotation Sent"), ("sale", "Sales Order")], "Status", readonly=True
    )
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    customer_class = fields.Selection([("A", "A"), ("B", "B"), ("C", "C")], readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    categ_id = fields.Many2one(
        "product.category",
        "Product Category",
        readonly=True,
        help="The category of the order's main product (its line with the largest amount).",
    )
    is_rush = fields.Boolean("Rush Order", readonly=True)
    review_state = fields.Selection(REVIEW_STATE, "Review Status", readonly=True)
    currency_id = fields.Many2one("res.currency", related="company_id.currency_id", readonly=True)
    amount_untaxed = fields.Monetary("Untaxed Amount", "currency_id", readonly=True)

    order_count = fields.Integer("Orders", readonly=True)
    delivered_count = fields.Integer(
        "Delivered Orders", readonly=True, help="Orders with nothing left to ship."
    )
    otif_count = fields.Integer("On Time In Full", readonly=True)
    completed_count = fields.Integer(
        "Completed Orders",
        readonly=True,
        help="Orders complete (订单完成): produced, passed inspection and nothing left to ship.",
    )
    completion_rate = average_measure(
        "Completion Rate (%)",
        help="Of the delivered orders, the share complete: produced and passed inspection (or "
        "nonconformity decided).",
    )
    otif_rate = average_measure(
        "On-Time-In-Full Rate (%)",
        help="Of the delivered orders, the share delivered in full by the promised date.",
    )
    days_late = average_measure(
        help="Of the delivered orders: days between the promised date and the last arrival, 0 when on time."
    )
    review_lead_hours = average_measure(
        "Review Lead Time (Hours)",
        help="Of the approved orders: hours from the review request to the last approval.",
    )
    change_request_count = fields.Integer("Change Requests", readonly=True)
    change_quantity_count = fields.Integer("Quantity Changes", readonly=True)
    change_price_count = fields.Integer("Price Changes", readonly=True)
    change_product_count = fields.Integer("Product Changes", readonly=True)
    change_date_count = fields.Integer("Delivery Date Changes", readonly=True)
    change_cancel_count = fields.Integer("Cancellations", readonly=True)
    ticket_count = fields.Integer("After-Sales Tickets", readonly=True)
    ticket_breached_count = fields.Integer("SLA Breaches", readonly=True)

    @api.model
    def _change_type_columns(self):
        """[(change type, its count column)]: one ``change_<type>_count`` per value of the
        ``change_type`` selection of change requests, the one list of change types."""
        return [
            (code, f"change_{code}_count")
            for code, __ in self.env["fulfilment.change.type"]._selection()
            if f"change_{code}_count" in self._fields
        ]

    @property
    def _table_query(self):
        change_types = self._change_type_columns()
        flush = flush_sql(
            self.env,
            {
                "sale.order": [
                    "state",
                    "fulfilment_delivery_closed",
                    "fulfilment_delivered_date",
                    "fulfilment_days_late",
                    "on_time_in_full",
                    "fulfilment_completed",
                    "review_state",
                    "review_round",
                    "commitment_date",
                    "is_rush",
                ],
                "sale.order.line": ["price_subtotal", "product_id"],
                "fulfilment.review": ["state", "decision_date", "request_date", "round"],
                "fulfilment.change.request": ["state", "change_type", "order_id"],
                "fulfilment.ticket": ["state", "sla_state", "order_id"],
            },
        )
        return SQL(
            """
            SELECT
                so.id AS id,
                so.id AS order_id,
                so.name AS name,
                so.date_order AS date,
                so.commitment_date AS commitment_date,
                CASE WHEN so.fulfilment_delivery_closed THEN so.fulfilment_delivered_date END
                    AS delivered_date,
                so.state AS state,
                so.partner_id AS partner_id,
                so.fulfilment_customer_class AS customer_class,
                so.user_id AS user_id,
                so.team_id AS team_id,
                so.company_id AS company_id,
                main_line.categ_id AS categ_id,
                COALESCE(so.is_rush, FALSE) AS is_rush,
                COALESCE(so.review_state, 'none') AS review_state,
                so.amount_untaxed
                    / CASE COALESCE(so.currency_rate, 0) WHEN 0 THEN 1.0 ELSE so.currency_rate END
                    AS amount_untaxed,
                1 AS order_count,
                CASE WHEN so.fulfilment_delivery_closed THEN 1 ELSE 0 END AS delivered_count,
                CASE WHEN so.on_time_in_full THEN 1 ELSE 0 END AS otif_count,
                CASE WHEN so.fulfilment_completed THEN 1 ELSE 0 END AS completed_count,
                CASE WHEN so.fulfilment_delivery_closed
                    THEN CASE WHEN so.fulfilment_completed THEN 100.0 ELSE 0.0 END
                END AS completion_rate,
                CASE WHEN so.fulfilment_delivery_closed
                    THEN CASE WHEN so.on_time_in_full THEN 100.0 ELSE 0.0 END
                END AS otif_rate,
                CASE WHEN so.fulfilment_delivery_closed THEN so.fulfilment_days_late END AS days_late,
                review.lead_hours AS review_lead_hours,
                COALESCE(change.total, 0) AS change_request_count,
                %(change_type_counts)s
                COALESCE(ticket.total, 0) AS ticket_count,
                COALESCE(ticket.breached, 0) AS ticket_breached_count
            FROM sale_order so
            LEFT JOIN LATERAL (
                SELECT pt.categ_id
                  FROM sale_order_line sol
                  JOIN product_product pp ON pp.id = sol.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE sol.order_id = so.id AND sol.display_type IS NULL
                 ORDER BY sol.price_subtotal DESC NULLS LAST, sol.id
                 LIMIT 1
            ) main_line ON TRUE
            LEFT JOIN (
                SELECT r.order_id,
                       EXTRACT(EPOCH FROM MAX(r.decision_date) - MIN(r.request_date)) / 3600.0 AS lead_hours
                  FROM fulfilment_review r
                  JOIN sale_order o ON o.id = r.order_id
                 WHERE r.res_model = 'sale.order'
                   AND r.round = o.review_round
                   AND r.state = 'approved'
                   AND o.review_state = 'approved'
                 GROUP BY r.order_id
            ) review ON review.order_id = so.id
            LEFT JOIN (
                SELECT order_id,
                       COUNT(*) AS total
                       %(change_type_filters)s
                  FROM fulfilment_change_request
                 WHERE state NOT IN ('draft', 'cancelled')
                 GROUP BY order_id
            ) change ON change.order_id = so.id
            LEFT JOIN (
                SELECT order_id,
                       COUNT(*) AS total,
                       COUNT(*) FILTER (WHERE sla_state = 'breached') AS breached
                  FROM fulfilment_ticket
                 WHERE order_id IS NOT NULL AND state != 'cancelled'
                 GROUP BY order_id
            ) ticket ON ticket.order_id = so.id
            WHERE so.state != 'cancel' %(flush)s
            """,
            # One count per change type, built from the selection (values passed as parameters).
            change_type_counts=SQL().join(
                SQL("COALESCE(%s, 0) AS %s,", SQL.identifier("change", code), SQL.identifier(column))
                for code, column in change_types
            ),
            change_type_filters=SQL().join(
                SQL(", COUNT(*) FILTER (WHERE change_type = %s) AS %s", code, SQL.identifier(code))
                for code, __ in change_types
            ),
            flush=flush,
        )
