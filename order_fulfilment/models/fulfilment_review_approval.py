from odoo import api, fields, models
from odoo.exceptions import AccessError


class FulfilmentReviewApproval(models.Model):
    """One approval of a sign-off: who approved, for whom (a substitute), when. A sign-off that
    needs several approvers (``fulfilment.review.rule.min_approvers``) has one line per person."""

    _name = "fulfilment.review.approval"
    _description = "Review Approval"
    _order = "date, id"
    _rec_name = "approved_by"

    review_id = fields.Many2one(
        "fulfilment.review", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="review_id.company_id", store=True, index=True)
    user_id = fields.Many2one("res.users", "Approver", required=True, readonly=True)
    on_behalf_of_id = fields.Many2one(
        "res.users",
        readonly=True,
        help="The absent reviewer the substitute approved for.",
    )
    date = fields.Datetime(required=True, readonly=True)
    comment = fields.Text(readonly=True, help="The opinion of the review when this person approved.")
    approved_by = fields.Char(compute="_compute_approved_by")

    _sql_constraints = [
        (
            "one_approval_per_person",
            "UNIQUE(review_id, user_id)",
            "The same person cannot approve a sign-off twice.",
        ),
    ]

    @api.depends("user_id", "on_behalf_of_id")
    @api.depends_context("lang")
    def _compute_approved_by(self):
        Review = self.env["fulfilment.review"]
        for approval in self:
            approval.approved_by = Review._signer_label(approval.user_id, approval.on_behalf_of_id)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Approvals are recorded by approving the review."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self.env._("Approvals cannot be changed."))
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            raise AccessError(self.env._("Approvals are kept with the review and cannot be deleted."))
        return super().unlink()
