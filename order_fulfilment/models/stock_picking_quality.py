from odoo import models


class StockPicking(models.Model):
    """The inspections and nonconformities of a receipt or a delivery, for its smart buttons."""

    _name = "stock.picking"
    _inherit = ["stock.picking", "fulfilment.quality.source.mixin"]
    _fulfilment_quality_field = "picking_id"
