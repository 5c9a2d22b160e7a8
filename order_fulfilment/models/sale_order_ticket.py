from odoo import api, fields, models


class SaleOrder(models.Model):
    """After-sales tickets of the order."""

    _inherit = "sale.order"

    ticket_ids = fields.One2many(
        "fulfilment.ticket",
        "order_id",
        string="After-sales Tickets",
        groups="order_fulfilment.group_aftersales_user,sales_team.group_sale_salesman",
    )
    fulfilment_ticket_count = fields.Integer(
        string="Tickets",
        compute="_compute_fulfilment_ticket_count",
        groups="order_fulfilment.group_aftersales_user,sales_team.group_sale_salesman",
    )
    fulfilment_replacement_ticket_id = fields.Many2one(
        "fulfilment.ticket",
        string="Replacement For",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The after-sales ticket this zero-price order replaces goods for.",
    )

    @api.depends("ticket_ids")
    def _compute_fulfilment_ticket_count(self):
        counts = dict(
            self.env["fulfilment.ticket"]._read_group(
                [("order_id", "in", self.ids)], ["order_id"], ["__count"]
            )
        )
        for order in self:
            order.fulfilment_ticket_count = counts.get(order._origin, 0)

    def action_view_fulfilment_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_fulfilment.fulfilment_ticket_action")
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {
            "default_order_id": self.id,
            "default_partner_id": self.partner_id.id,
            "default_company_id": self.company_id.id,
        }
        return action
