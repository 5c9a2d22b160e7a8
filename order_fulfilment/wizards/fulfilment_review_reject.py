from odoo import fields, models


class FulfilmentReviewReject(models.TransientModel):
    _name = "fulfilment.review.reject"
    _description = "Reject a Review"

    review_ids = fields.Many2many("fulfilment.review", string="Reviews", required=True)
    comment = fields.Text("Reason", required=True)

    def action_reject(self):
        self.ensure_one()
        self.review_ids.action_reject(comment=self.comment)
        return {"type": "ir.actions.act_window_close"}
