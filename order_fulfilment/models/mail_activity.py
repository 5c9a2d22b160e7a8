from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    fulfilment_review_id = fields.Many2one(
        "fulfilment.review",
        "Review",
        readonly=True,
        index="btree_not_null",
        ondelete="cascade",
        help="The sign-off this to-do asks for; it disappears for everyone once someone decides.",
    )
