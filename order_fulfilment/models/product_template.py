from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    fulfilment_nonstandard = fields.Boolean(
        "Non-standard Product",
        help="A custom-designed, discontinued or otherwise non-regular product. "
        "Review rules can require a technical review for orders that contain one.",
    )
    fulfilment_warranty_months = fields.Integer(
        "Warranty (Months)",
        help="How long each serial or lot is under warranty (保修), counted from its first delivery to "
        "a customer. Leave at 0 for a product without warranty.",
    )

    _sql_constraints = [
        (
            "fulfilment_warranty_months_positive",
            "CHECK(fulfilment_warranty_months >= 0)",
            "The warranty of a product cannot be a negative number of months.",
        ),
    ]
