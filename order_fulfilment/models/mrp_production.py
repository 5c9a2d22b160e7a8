from odoo import models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    # ------------------------------------------------------------------
    # Rush orders
    # ------------------------------------------------------------------
