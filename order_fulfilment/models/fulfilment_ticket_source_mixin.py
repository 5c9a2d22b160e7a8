from odoo import api, fields, models

# Who sees the tickets of a document: the after-sales agents and the salespeople.
TICKET_GROUPS = "order_fulfilment.group_aftersales_user,sales_team.group_sale_salesman"


class FulfilmentTicketSourceMixin(models.AbstractModel):
    """A document after-sales tickets point to (an order, a delivery): the ticket count and the
    smart button that lists them. A model opts in with the name of the ticket's many2one to it
    (``_fulfilment_ticket_field``) and of its own one2many of tickets (``_fulfilment_ticket_one2many``)."""

    _name = "fulfilment.ticket.source.mixin"
    _description = "Document of After-sales Tickets"
    _fulfilment_ticket_field = None
    _fulfilment_ticket_one2many = None

    fulfilment_ticket_count = fields.Integer(
        "Tickets", compute="_compute_fulfilment_ticket_count", groups=TICKET_GROUPS
    )

    @api.depends(lambda self: [self._fulfilment_ticket_one2many] if self._fulfilment_ticket_one2many else [])
    def _compute_fulfilment_ticket_count(self):
        field = self._fulfilment_ticket_field
        counts = dict(
            self.env["fulfilment.ticket"]._read_group([(field, "in", self.ids)], [field], ["__count"])
        )
        for record in self:
            record.fulfilment_ticket_count = counts.get(record._origin, 0)

    def _fulfilment_ticket_defaults(self):
        """Values a ticket made from this document starts with."""
        return {
            f"default_{self._fulfilment_ticket_field}": self.id,
            "default_partner_id": self.partner_id.id,
            "default_company_id": self.company_id.id,
        }

    def action_view_fulfilment_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("order_fulfilment.fulfilment_ticket_action")
        action["domain"] = [(self._fulfilment_ticket_field, "=", self.id)]
        action["context"] = self._fulfilment_ticket_defaults()
        return action
