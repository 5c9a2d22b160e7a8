from odoo import api, fields, models
from odoo.tools import SQL, float_compare

from .fulfilment_quality_point import OPERATIONS

CHECK_STATES = [("todo", "To Inspect"), ("pass", "Passed"), ("fail", "Failed")]
CHECK_RESULTS = [("pass", "Pass"), ("fail", "Fail"), ("partial", "Partial")]
# The fields of an inspection item taken from its checklist item (still editable), and its limits.
FROM_ITEM = {"compute": "_compute_from_item", "store": True, "readonly": False, "precompute": True}
LIMIT = {"digits": (16, 4), "aggregator": False, **FROM_ITEM}


class FulfilmentQualityCheck(models.Model):
    """An inspection (质检单) of a finished MO's lot, a receipt line or a delivery."""

    _name = "fulfilment.quality.check"
    _description = "Quality Inspection"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char("Reference", required=True, readonly=True, copy=False, index="trigram", default="/")
    point_id = fields.Many2one(
        "fulfilment.quality.point", "Control Point", index=True, readonly=True, check_company=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda self: self.env.company
    )
    operation = fields.Selection(OPERATIONS, required=True, default="production", readonly=True, index=True)
    product_id = fields.Many2one(
        "product.product", required=True, index=True, readonly=True, check_company=True
    )
    product_categ_id = fields.Many2one(
        related="product_id.categ_id", string="Product Category", store=True, index=True
    )
    lot_id = fields.Many2one("stock.lot", "Lot/Serial", index="btree_not_null", check_company=True)
    # Where the goods inspected come from: set when the inspection is created.
    production_id = fields.Many2one(
        "mrp.production", "Manufacturing Order", index="btree_not_null", readonly=True, check_company=True
    )
    workcenter_id = fields.Many2one(
        "mrp.workcenter",
        "Work Centre",
        index="btree_not_null",
        readonly=True,
        help="The work centre of the manufacturing order's last operation.",
    )
    picking_id = fields.Many2one(
        "stock.picking", "Transfer", index="btree_not_null", readonly=True, check_company=True
    )
    move_id = fields.Many2one("stock.move", "Stock Move", index="btree_not_null", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        "Supplier / Customer",
        index="btree_not_null",
        readonly=True,
        help="The supplier of a receipt, the customer of a delivery.",
    )
    qty_inspected = fields.Float("Quantity Inspected", digits="Product Unit of Measure")
    qty_failed = fields.Float("Quantity Failed", digits="Product Unit of Measure")
    qty_passed = fields.Float(
        "Quantity Passed", digits="Product Unit of Measure", compute="_compute_qty_passed", store=True
    )
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    state = fields.Selection(
        CHECK_STATES, required=True, default="todo", readonly=True, index=True, tracking=True
    )
    result = fields.Selection(CHECK_RESULTS, readonly=True, copy=False, tracking=True)
    inspector_id = fields.Many2one("res.users", readonly=True, copy=False)
    date_done = fields.Datetime("Inspected On", readonly=True, copy=False, index=True)
    line_ids = fields.One2many("fulfilment.quality.check.line", "check_id", "Items", copy=True)
    note = fields.Text("Findings")
    photo_ids = fields.Many2many(
        "ir.attachment", "fulfilment_quality_check_photo_rel", "check_id", "attachment_id", "Photos"
    )
    nonconformity_ids = fields.One2many("fulfilment.nonconformity", "check_id", "Nonconformities")
    nonconformity_count = fields.Integer(compute="_compute_nonconformity_count")
    serious_defect = fields.Boolean(
        compute="_compute_serious_defect", store=True, help="A failed item is marked as a serious defect."
    )
    is_blocking = fields.Boolean(
        "Holds the Goods",
        compute="_compute_is_blocking",
        store=True,
        index=True,
        help="Not inspected yet, or failed with no disposition decided: the goods cannot leave the "
        "company (nor failed purchased goods be used in production).",
    )

    _sql_constraints = [
        ("qty_failed_positive", "CHECK(qty_failed >= 0)", "The failed quantity cannot be negative."),
        ("qty_inspected_positive", "CHECK(qty_inspected >= 0)", "The inspected quantity cannot be negative."),
    ]

    @api.depends("qty_inspected", "qty_failed")
    def _compute_qty_passed(self):
        for check in self:
            check.qty_passed = max(check.qty_inspected - check.qty_failed, 0.0)

    @api.depends("line_ids.result", "line_ids.item_id.serious")
    def _compute_serious_defect(self):
        for check in self:
            check.serious_defect = any(
                line.result == "fail" and line.item_id.serious for line in check.line_ids
            )

    @api.depends("nonconformity_ids")
    def _compute_nonconformity_count(self):
        for check in self:
            check.nonconformity_count = len(check.nonconformity_ids)

    @api.depends("state", "nonconformity_ids.state")
    def _compute_is_blocking(self):
        for check in self:
            check.is_blocking = check.state == "todo" or (
                check.state == "fail"
                and not any(nc.state in ("decided", "closed") for nc in check.nonconformity_ids)
            )

    @api.model_create_multi
    def create(self, vals_list):
        # The sequence looked up once per company (as next_by_code does each time), then one
        # number each: the inspections of many MOs or receipt lines are numbered in a batch.
        Sequence = self.env["ir.sequence"].sudo()
        sequences = {}
        for vals in vals_list:
            if vals.get("name", "/") != "/":
                continue
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if company not in sequences:
                sequences[company] = Sequence.search(
                    [("code", "=", "fulfilment.quality.check"), ("company_id", "in", [company.id, False])],
                    order="company_id",
                    limit=1,
                ).with_company(company)
            sequence = sequences[company]
            vals["name"] = sequence._next() if sequence else "/"
        return super().create(vals_list)


class FulfilmentQualityCheckLine(models.Model):
    """The result of one checklist item in an inspection. A measure outside its limits fails."""

    _name = "fulfilment.quality.check.line"
    _description = "Quality Inspection Item"
    _order = "sequence, id"

    check_id = fields.Many2one("fulfilment.quality.check", required=True, ondelete="cascade", index=True)
    item_id = fields.Many2one("fulfilment.quality.point.item", ondelete="restrict")
    company_id = fields.Many2one(related="check_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    # Copied from the item when it is set, and editable. The name is translated: the item's name
    # in every language, copied when the inspection is created (``_fulfilment_copy_item_names``),
    # so that each inspector reads the checklist in theirs.
    name = fields.Char(required=True, translate=True, **FROM_ITEM)
    kind = fields.Selection([("passfail", "Pass / Fail"), ("measure", "Measure")], required=True, **FROM_ITEM)
    unit = fields.Char(**FROM_ITEM)
    min_value = fields.Float("Minimum", **LIMIT)
    max_value = fields.Float("Maximum", **LIMIT)
    measured_value = fields.Float(digits=(16, 4), aggregator=False)
    measured = fields.Boolean(
        readonly=True,
        help="A value was measured (a measure of 0 is a value too).",
    )
    result = fields.Selection(
        [("pass", "Pass"), ("fail", "Fail")],
        help="Set by the inspector; for a measure, from the limits when the value is entered.",
    )
    note = fields.Char()

    @api.depends("item_id")
    def _compute_from_item(self):
        for line in self:
            item = line.item_id
            if not item:
                line.kind = line.kind or "passfail"
                line.name = line.name or ""
                continue
            line.name = item.name
            line.kind = item.kind
            line.unit = item.unit
            line.min_value = item.min_value
            line.max_value = item.max_value

    @api.onchange("measured_value")
    def _onchange_measured_value(self):
        for line in self.filtered(lambda line: line.kind == "measure"):
            line.result = "fail" if line._is_outside(line.measured_value) else "pass"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        from_item = self.browse(
            line.id
            for line, vals in zip(lines, vals_list, strict=True)
            if vals.get("item_id") and "name" not in vals
        )
        if from_item:
            from_item._fulfilment_copy_item_names()
        measured = self.browse(
            line.id for line, vals in zip(lines, vals_list, strict=True) if "measured_value" in vals
        )
        measured.filtered(lambda line: line.kind == "measure")._set_measured()
        return lines

    def _fulfilment_copy_item_names(self):
        """Copy the names of the items in every language, as ``copy()`` copies translations: the
        inspection keeps what was inspected if the checklist changes later, and reads in the
        inspector's language. One UPDATE for all the lines."""
        self.env["fulfilment.quality.point.item"].flush_model(["name"])
        self.flush_recordset(["name", "item_id"])
        self.env.cr.execute(
            SQL(
                "UPDATE fulfilment_quality_check_line line SET name = item.name "
                "FROM fulfilment_quality_point_item item "
                "WHERE item.id = line.item_id AND line.id = ANY(%s)",
                self.ids,
            )
        )
        self.invalidate_recordset(["name"])

    def _fulfilment_fill_item_translations(self):
        """Give the inspection lines the languages of their item they lack, when the line still
        has the item's name (not renamed since): one UPDATE, after terms are loaded."""
        self.env["fulfilment.quality.point.item"].flush_model(["name"])
        self.flush_model(["name", "item_id"])
        self.env.cr.execute(
            SQL(
                "UPDATE fulfilment_quality_check_line line SET name = item.name || line.name "
                "FROM fulfilment_quality_point_item item "
                "WHERE item.id = line.item_id AND line.name->>'en_US' = item.name->>'en_US' "
                "AND item.name || line.name != line.name"
            )
        )
        self.invalidate_model(["name"])

    def write(self, vals):
        result = super().write(vals)
        if vals.get("item_id") and "name" not in vals:
            self._fulfilment_copy_item_names()
        if "measured_value" in vals or "min_value" in vals or "max_value" in vals:
            self.filtered(
                lambda line: line.kind == "measure" and (line.measured or "measured_value" in vals)
            )._set_measured()
        return result

    def _set_measured(self):
        """A measure outside its limits fails its item, whatever result was given."""
        for outside, lines in self.grouped(lambda line: line._is_outside(line.measured_value)).items():
            super(FulfilmentQualityCheckLine, lines).write(
                {"measured": True, "result": "fail" if outside else "pass"}
            )
        return True

    def _is_outside(self, value):
        """Whether ``value`` is outside this measure's limits (no limits when both are 0)."""
        self.ensure_one()
        if not (self.min_value or self.max_value):
            return False
        return (
            float_compare(value, self.min_value, precision_digits=4) < 0
            or float_compare(value, self.max_value, precision_digits=4) > 0
        )
