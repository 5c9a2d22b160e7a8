from odoo import fields, models


class FulfilmentReviewForward(models.TransientModel):
    """Forward pending reviews to a named colleague with a note (转交)."""

    _name = "fulfilment.review.forward"
    _description = "Forward a Review"

    review_ids = fields.Many2many("fulfilment.review", string="Reviews", required=True)
    user_id = fields.Many2one(
        "res.users",
        "Forward To",
        required=True,
        domain="[('share', '=', False)]",
        help="They may decide the review too, even outside the department, and get a to-do.",
    )
    note = fields.Text(help="What you ask of them: they see it in their to-do and in the chatter.")

    def action_forward(self):
        self.ensure_one()
        self.review_ids.action_forward(self.user_id.id, note=self.note)
        return {"type": "ir.actions.act_window_close"}
