from odoo import fields, models
from odoo.tools import SQL

from ..models.fulfilment_ticket import SLA_STATES, TICKET_STATES, TICKET_TYPES
from ..tools.orm import flush_sql
from .fulfilment_analysis import average_measure


class FulfilmentTicketAnalysis(models.Model):
    """After-sales SLA compliance: one row per ticket, met or breached once it is decided (the
    ticket's ``sla_state``: assigned, contacted and, with a resolution target, resolved on time)."""

    _name = "fulfilment.ticket.analysis"
    _description = "After-Sales SLA Analysis"
    _auto = False
    _order = "date desc"

    ticket_id = fields.Many2one("fulfilment.ticket", readonly=True)
    ticket_type = fields.Selection(TICKET_TYPES, "Type", readonly=True)
    name = fields.Char("Reference", readonly=True)
    date = fields.Datetime("Opened On", readonly=True)
    priority = fields.Selection([("0", "Normal"), ("1", "Urgent")], readonly=True)
    state = fields.Selection(TICKET_STATES, "Status", readonly=True)
    sla_state = fields.Selection(
        SLA_STATES,
        "SLA",
        readonly=True,
        help="Met: assigned, the customer contacted and, when a resolution target applies, resolved, "
        "each before its deadline. Breached: one of them late.",
    )
    user_id = fields.Many2one("res.users", "Agent", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    order_id = fields.Many2one("sale.order", "Sales Order", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)

    ticket_count = fields.Integer("Tickets", readonly=True)
    met_count = fields.Integer(
        "SLA Met",
        readonly=True,
        help="Tickets assigned, contacted and (with a resolution target) resolved before their deadlines.",
    )
    breached_count = fields.Integer(
        "SLA Breached", readonly=True, help="Tickets that missed the assign, contact or resolution deadline."
    )
    sla_met_rate = average_measure(
        "SLA Met (%)",
        help="Of the tickets whose SLA is decided (met or breached), the share assigned, contacted "
        "and (with a resolution target) resolved on time.",
    )
    assign_minutes = average_measure("Minutes to Assign", help="Elapsed minutes from opening to assignment.")
    contact_minutes = average_measure(
        "Minutes to Contact", help="Elapsed minutes from opening to the first contact with the customer."
    )
    # Satisfaction and complaints (R4.3)
    satisfaction_score = average_measure(
        "Average Satisfaction",
        help="The customers' satisfaction from 1 to 5 (their rating, or what the agent recorded), "
        "averaged over the tickets that have one.",
    )
    complaint_count = fields.Integer("Complaints", readonly=True)

    @property
    def _table_query(self):
        flush = flush_sql(
            self.env,
            {
                "fulfilment.ticket": [
                    "state",
                    "sla_state",
                    "user_id",
                    "assigned_date",
                    "first_contact_date",
                    "opened_date",
                    "ticket_type",
                    "satisfaction",
                ]
            },
        )
        return SQL(
            """
            SELECT
                t.id AS id,
                t.id AS ticket_id,
                t.name AS name,
                t.opened_date AS date,
                t.ticket_type AS ticket_type,
                t.priority AS priority,
                t.state AS state,
                t.sla_state AS sla_state,
                t.user_id AS user_id,
                t.commercial_partner_id AS partner_id,
                t.order_id AS order_id,
                t.product_id AS product_id,
                t.company_id AS company_id,
                1 AS ticket_count,
                CASE WHEN t.sla_state = 'met' THEN 1 ELSE 0 END AS met_count,
                CASE WHEN t.sla_state = 'breached' THEN 1 ELSE 0 END AS breached_count,
                CASE t.sla_state WHEN 'met' THEN 100.0 WHEN 'breached' THEN 0.0 END AS sla_met_rate,
                EXTRACT(EPOCH FROM t.assigned_date - t.opened_date) / 60.0 AS assign_minutes,
                EXTRACT(EPOCH FROM t.first_contact_date - t.opened_date) / 60.0 AS contact_minutes,
                CAST(NULLIF(t.satisfaction, '') AS integer) AS satisfaction_score,
                CASE WHEN t.ticket_type = 'complaint' THEN 1 ELSE 0 END AS complaint_count
            FROM fulfilment_ticket t
            WHERE t.state != 'cancelled' %s
            """,
            flush,
        )
