from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Release and delivery controls
    # ------------------------------------------------------------------

    # ------------------------------------------------------------------
    # After-sales
    # ------------------------------------------------------------------
    fulfilment_ticket_count = fields.Integer(
        string="After-sales Tickets",
        compute="_compute_fulfilment_ticket_count",
        groups="order_fulfilment.group_aftersales_user",
    )

    def _compute_fulfilment_ticket_count(self):
        commercial = self.commercial_partner_id
        counts = dict(
            self.env["fulfilment.ticket"]._read_group(
                [("commercial_partner_id", "in", commercial.ids)], ["commercial_partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.fulfilment_ticket_count = counts.get(partner.commercial_partner_id, 0)

    def action_view_fulfilment_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_fulfilment.fulfilment_ticket_action")
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
