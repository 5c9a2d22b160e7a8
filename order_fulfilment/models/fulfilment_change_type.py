from odoo import fields, models


class FulfilmentChangeType(models.Model):
    _name = "fulfilment.change.type"
    _description = "Change Request Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="The change_type value of change requests of this type.")
    sequence = fields.Integer(default=10)

    _sql_constraints = [("code_unique", "UNIQUE(code)", "Each change type code must be unique.")]
