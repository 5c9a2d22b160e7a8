from odoo import fields, models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "fulfilment.review.mixin"]

    # ------------------------------------------------------------------
    # Rush orders and the delivery promise
    # ------------------------------------------------------------------
    is_rush = fields.Boolean(
        string="Rush Order",
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="Scheduled before other orders in manufacturing and shipping.",
    )
    rush_reason = fields.Char(copy=False, tracking=True)

    # ------------------------------------------------------------------
    # Release and delivery controls
    # ------------------------------------------------------------------

    # ------------------------------------------------------------------
    # Change requests
    # ------------------------------------------------------------------

    # ------------------------------------------------------------------
    # After-sales
    # ------------------------------------------------------------------
