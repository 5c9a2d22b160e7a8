from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    fulfilment_review_id = fields.Many2one(
        "fulfilment.review",
        string="Review",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
        help="The sign-off this to-do asks for; it disappears for everyone once someone decides.",
    )
