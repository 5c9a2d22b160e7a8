from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # ------------------------------------------------------------------
    # Rush orders
    # ------------------------------------------------------------------
    fulfilment_is_rush = fields.Boolean(
        string="Rush",
        index="btree_not_null",
        readonly=True,
        help="Belongs to a rush order: shipped before other orders.",
    )

    # ------------------------------------------------------------------
    # Release and delivery controls
    # ------------------------------------------------------------------

    # ------------------------------------------------------------------
    # After-sales
    # ------------------------------------------------------------------
