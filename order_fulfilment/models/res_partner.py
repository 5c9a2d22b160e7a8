from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Release and delivery controls
    # ------------------------------------------------------------------
    fulfilment_customer_class = fields.Selection(
        [
            ("A", "A: ships on contract terms"),
            ("B", "B: pays before shipping"),
            ("C", "C: pays before shipping"),
        ],
        "Customer Class",
        default="A",
        required=True,
        index=True,
        tracking=True,
        help="A-class customers ship on contract terms. Deliveries to B- and C-class customers wait "
        "until their invoices are paid or finance releases them. Contacts follow their company.",
    )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["fulfilment_customer_class"]

    # ------------------------------------------------------------------
    # After-sales
    # ------------------------------------------------------------------
    fulfilment_ticket_count = fields.Integer(
        "After-sales Tickets",
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
