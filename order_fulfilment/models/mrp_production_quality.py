from odoo import models


class MrpProduction(models.Model):
    """The inspections and nonconformities of a manufacturing order, for its smart buttons."""

    _name = "mrp.production"
    _inherit = ["mrp.production", "fulfilment.quality.source.mixin"]
    _fulfilment_quality_field = "production_id"
