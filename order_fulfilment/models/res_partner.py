from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Release and delivery controls
    # ------------------------------------------------------------------
    fulfilment_customer_class = fields.Selection(
        [
            ("A", "A: ships on contract terms"),
            ("B", "B: pays before shipping"),
            ("C", "C: pays before shipping"),
        ],
        string="Customer Class",
        default="A",
        required=True,
        index=True,
        tracking=True,
        help="A-class customers ship on contract terms. Deliveries to B- and C-class customers wait "
        "until their invoices are paid or finance releases them. Contacts follow their company.",
    )

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + ["fulfilment_customer_class"]

    # ------------------------------------------------------------------
    # After-sales
    # ------------------------------------------------------------------
