from odoo import fields, models


class FulfilmentTicketContact(models.TransientModel):
    _name = "fulfilment.ticket.contact"
    _description = "Record the Customer Contact of an After-sales Ticket"

    ticket_id = fields.Many2one("fulfilment.ticket", required=True, ondelete="cascade")
    note = fields.Text("Call Note", required=True, help="What was said; posted on the ticket.")

    def action_confirm(self):
        self.ensure_one()
        self.ticket_id.action_contact(note=self.note)
        return {"type": "ir.actions.act_window_close"}
