from odoo import fields, models


class FulfilmentReview(models.Model):
    """The earliest feasible date of the reviewed order, on the review (生产能力/交期)."""

    _inherit = "fulfilment.review"

    order_feasible_date = fields.Datetime(
        "Earliest Feasible Date", related="order_id.fulfilment_feasible_date"
    )
    order_feasible_explanation = fields.Text(
        "Feasible Date Explanation", related="order_id.fulfilment_feasible_explanation"
    )
    order_feasible_table = fields.Html("Feasible Date by Line", related="order_id.fulfilment_feasible_table")
    order_date_too_tight = fields.Boolean("Date Too Tight", related="order_id.fulfilment_date_too_tight")
