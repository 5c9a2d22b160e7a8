from odoo import fields, models


class FulfilmentCannotMeetWizard(models.TransientModel):
    _name = "fulfilment.cannot.meet.wizard"
    _description = "Report that a Manufacturing Order Cannot Meet its Date"

    production_id = fields.Many2one("mrp.production", "Manufacturing Order", required=True)
    commitment_date = fields.Datetime(
        "Promised Date", related="production_id.fulfilment_sale_id.commitment_date"
    )
    reason = fields.Text(required=True, help="Why the date cannot be met, and what production can offer.")

    def action_confirm(self):
        self.ensure_one()
        self.production_id.action_fulfilment_cannot_meet(self.reason)
        return {"type": "ir.actions.act_window_close"}
