from odoo import fields, models

from .fulfilment_ticket_source_mixin import TICKET_GROUPS


class SaleOrder(models.Model):
    """After-sales tickets of the order."""

    _name = "sale.order"
    _inherit = ["sale.order", "fulfilment.ticket.source.mixin"]
    _fulfilment_ticket_field = "order_id"
    _fulfilment_ticket_one2many = "ticket_ids"

    ticket_ids = fields.One2many("fulfilment.ticket", "order_id", "After-sales Tickets", groups=TICKET_GROUPS)
    fulfilment_replacement_ticket_id = fields.Many2one(
        "fulfilment.ticket",
        "Replacement For",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The after-sales ticket this zero-price order replaces goods for.",
    )
