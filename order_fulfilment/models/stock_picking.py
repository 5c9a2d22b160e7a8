from odoo import api, fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # ------------------------------------------------------------------
    # Rush orders
    # ------------------------------------------------------------------
    fulfilment_is_rush = fields.Boolean(
        string="Rush",
        index="btree_not_null",
        readonly=True,
        help="Belongs to a rush order: shipped before other orders.",
    )

    # ------------------------------------------------------------------
    # Release and delivery controls
    # ------------------------------------------------------------------

    # ------------------------------------------------------------------
    # After-sales
    # ------------------------------------------------------------------
    fulfilment_ticket_ids = fields.One2many(
        "fulfilment.ticket",
        "picking_id",
        string="After-sales Tickets",
        groups="order_fulfilment.group_aftersales_user,sales_team.group_sale_salesman",
    )
    fulfilment_ticket_count = fields.Integer(
        string="Tickets",
        compute="_compute_fulfilment_ticket_count",
        groups="order_fulfilment.group_aftersales_user,sales_team.group_sale_salesman",
    )

    @api.depends("fulfilment_ticket_ids")
    def _compute_fulfilment_ticket_count(self):
        counts = dict(
            self.env["fulfilment.ticket"]._read_group(
                [("picking_id", "in", self.ids)], ["picking_id"], ["__count"]
            )
        )
        for picking in self:
            picking.fulfilment_ticket_count = counts.get(picking._origin, 0)

    def action_view_fulfilment_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_fulfilment.fulfilment_ticket_action")
        action["domain"] = [("picking_id", "=", self.id)]
        action["context"] = {
            "default_picking_id": self.id,
            "default_order_id": self.sale_id.id,
            "default_partner_id": self.partner_id.id,
            "default_company_id": self.company_id.id,
        }
        return action
