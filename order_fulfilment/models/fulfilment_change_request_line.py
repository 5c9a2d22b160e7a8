import math

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare

from .fulfilment_change_request import STARTED_MO_STATES

# Quantities and prices from here up cannot be stored to the precision of their fields.
MAX_NUMBER = 1e12
# Set from the order line when the request line is created; never written afterwards.
SNAPSHOT_FIELDS = ("old_qty", "old_price_unit", "old_product_id")


class FulfilmentChangeRequestLine(models.Model):
    _name = "fulfilment.change.request.line"
    _description = "Change Request Line"
    _order = "request_id, sequence, id"

    request_id = fields.Many2one(
        "fulfilment.change.request", "Change Request", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="request_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="request_id.currency_id")
    sequence = fields.Integer(default=10)
    sale_line_id = fields.Many2one(
        "sale.order.line",
        "Order Line",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('order_id', '=', parent.order_id), ('display_type', '=', False)]",
    )
    product_uom_id = fields.Many2one(related="sale_line_id.product_uom", string="Unit")
    old_qty = fields.Float("Current Quantity", digits="Product Unit of Measure", readonly=True)
    old_price_unit = fields.Float("Current Price", digits="Product Price", readonly=True)
    old_product_id = fields.Many2one("product.product", "Current Product", readonly=True)
    new_qty = fields.Float("New Quantity", digits="Product Unit of Measure")
    new_price_unit = fields.Float("New Price", digits="Product Price")
    new_product_id = fields.Many2one("product.product", check_company=True, domain="[('sale_ok', '=', True)]")
    qty_delivered = fields.Float("Delivered", related="sale_line_id.qty_delivered")
    qty_invoiced = fields.Float("Invoiced", related="sale_line_id.qty_invoiced")
    is_changed = fields.Boolean("Changed", compute="_compute_is_changed")
    production_started = fields.Boolean(
        compute="_compute_production_started",
        compute_sudo=True,
        help="A manufacturing order of this line is in progress or done.",
    )

    @api.depends(
        "request_id.change_type",
        "old_qty",
        "new_qty",
        "old_price_unit",
        "new_price_unit",
        "old_product_id",
        "new_product_id",
    )
    def _compute_is_changed(self):
        qty_digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        price_digits = self.env["decimal.precision"].precision_get("Product Price")
        for line in self:
            change_type = line.request_id.change_type
            if change_type == "quantity":
                line.is_changed = float_compare(line.new_qty, line.old_qty, precision_digits=qty_digits) != 0
            elif change_type == "price":
                line.is_changed = (
                    float_compare(line.new_price_unit, line.old_price_unit, precision_digits=price_digits)
                    != 0
                )
            elif change_type == "product":
                line.is_changed = bool(line.new_product_id) and line.new_product_id != line.old_product_id
            else:
                line.is_changed = False

    @api.depends("sale_line_id")
    def _compute_production_started(self):
        productions = self.env["sale.order"]._fulfilment_productions_by_line(self.sale_line_id)
        for line in self:
            line.production_started = any(
                mo.state in STARTED_MO_STATES for mo in productions[line.sale_line_id.id]
            )

    @api.model
    def _values_from_sale_lines(self, sale_lines):
        """Request line values that keep everything as it is: the user edits only what changes."""
        return [
            {
                "sale_line_id": line.id,
                "sequence": line.sequence,
                "old_qty": line.product_uom_qty,
                "new_qty": line.product_uom_qty,
                "old_price_unit": line.price_unit,
                "new_price_unit": line.price_unit,
                "old_product_id": line.product_id.id,
                "new_product_id": line.product_id.id,
            }
            for line in sale_lines
            if not line.display_type and line.product_id and not line.is_downpayment
        ]

    def _check_finite(self, vals_list):
        """NaN and infinity are no quantity or price: refused before they reach the database."""
        for vals in vals_list:
            for fname in ("new_qty", "new_price_unit"):
                value = vals.get(fname)
                if isinstance(value, (int, float)) and not (math.isfinite(value) and abs(value) < MAX_NUMBER):
                    raise ValidationError(
                        self.env._(
                            "%(field)s of a change request line must be a number below a trillion, "
                            "not %(value)s.",
                            field=self._fields[fname].get_description(self.env)["string"],
                            value=value,
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_finite(vals_list)
        sale_lines = self.env["sale.order.line"].browse(
            [v["sale_line_id"] for v in vals_list if v.get("sale_line_id")]
        )
        current = {line.id: line for line in sale_lines}
        for vals in vals_list:
            line = current.get(vals.get("sale_line_id"))
            if not line:
                continue
            # The current values always come from the order, whatever the caller sent.
            vals.update(
                old_qty=line.product_uom_qty,
                old_price_unit=line.price_unit,
                old_product_id=line.product_id.id,
            )
            vals.setdefault("new_qty", line.product_uom_qty)
            vals.setdefault("new_price_unit", line.price_unit)
            vals.setdefault("new_product_id", line.product_id.id)
            vals.setdefault("sequence", line.sequence)
        lines = super().create(vals_list)
        if not self.env.su:
            lines.request_id._check_editable()
        for line in lines:
            if line.sale_line_id.order_id != line.request_id.order_id:
                raise UserError(
                    self.env._(
                        "%(request)s: the line %(line)s is not a line of the order %(order)s.",
                        request=line.request_id.display_name,
                        line=line.sale_line_id.display_name,
                        order=line.request_id.order_id.display_name,
                    )
                )
        return lines

    def write(self, vals):
        self._check_finite([vals])
        if not self.env.su:
            moved = any(
                field in vals and any(line[field].id != vals[field] for line in self)
                for field in ("request_id", "sale_line_id")
            )
            if set(vals) & set(SNAPSHOT_FIELDS) or moved:
                raise AccessError(
                    self.env._(
                        "The current values of a change request line come from the order; "
                        "they cannot be written."
                    )
                )
            self.request_id._check_editable()
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            self.request_id._check_editable()
        return super().unlink()
