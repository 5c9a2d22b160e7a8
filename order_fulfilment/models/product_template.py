from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    fulfilment_nonstandard = fields.Boolean(
        string="Non-standard Product",
        help="A custom-designed, discontinued or otherwise non-regular product. "
        "Review rules can require a technical review for orders that contain one.",
    )
