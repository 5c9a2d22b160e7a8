from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

OPERATIONS = [
    ("receipt", "Receipt of Purchased Goods"),
    ("production", "Finished Manufacturing Order"),
    ("delivery", "Outgoing Delivery"),
]


class FulfilmentQualityPoint(models.Model):
    """A control point (检验计划): which goods are inspected, at which operation, how often,
    and against which checklist."""

    _name = "fulfilment.quality.point"
    _description = "Quality Control Point"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    product_ids = fields.Many2many(
        "product.product",
        string="Products",
        check_company=True,
        help="The products inspected at this point. With neither products nor categories, every "
        "storable product is inspected.",
    )
    product_category_ids = fields.Many2many(
        "product.category",
        string="Product Categories",
        help="The products of these categories (and their sub-categories) are inspected too.",
    )
    operation = fields.Selection(OPERATIONS, required=True, default="production", index=True)
    frequency = fields.Selection(
        [("every", "Every Time"), ("nth", "Every Nth Lot or Receipt")], required=True, default="every"
    )
    frequency_n = fields.Integer(
        "Every Nth",
        aggregator=False,
        default=1,
        help="With Every Nth: the first lot or receipt is inspected, then one in N.",
    )
    frequency_count = fields.Integer(
        "Operations Counted",
        readonly=True,
        copy=False,
        help="How many matching lots or receipts this point has seen (for Every Nth).",
    )
    method = fields.Text(
        "Inspection Method",
        translate=True,
        help="How to inspect: the standard, the tools, the sample (检验方法).",
    )
    item_ids = fields.One2many("fulfilment.quality.point.item", "point_id", "Items", copy=True)
    check_ids = fields.One2many("fulfilment.quality.check", "point_id", "Inspections")

    @api.constrains("frequency", "frequency_n")
    def _check_frequency_n(self):
        for point in self:
            if point.frequency == "nth" and point.frequency_n < 1:
                raise ValidationError(
                    self.env._(
                        "Control point %(point)s: Every Nth needs N of 1 or more.", point=point.display_name
                    )
                )

    # ------------------------------------------------------------------
    # Cache: with no control point, the stock operations cost no query.
    # ------------------------------------------------------------------
    @api.model
    @tools.ormcache()
    def _fulfilment_quality_company_ids(self):
        """The companies that have (or had: archived) control points."""
        points = self.sudo().with_context(active_test=False).search_read([], ["company_id"])
        return frozenset(point["company_id"][0] for point in points if point["company_id"])

    @api.model
    def _fulfilment_quality_in_use(self, companies):
        """Whether any of ``companies`` has control points (cached: no query in hot paths)."""
        return bool(self._fulfilment_quality_company_ids() & set(companies.ids))

    @api.model_create_multi
    def create(self, vals_list):
        points = super().create(vals_list)
        self.env.registry.clear_cache()
        return points

    def write(self, vals):
        result = super().write(vals)
        if "company_id" in vals:
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result


class FulfilmentQualityPointItem(models.Model):
    """One line of a control point's checklist: a pass/fail item or a measure with limits."""

    _name = "fulfilment.quality.point.item"
    _description = "Quality Control Item"
    _order = "sequence, id"

    point_id = fields.Many2one("fulfilment.quality.point", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="point_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    kind = fields.Selection(
        [("passfail", "Pass / Fail"), ("measure", "Measure")], required=True, default="passfail"
    )
    unit = fields.Char(help="The unit of the measure (mm, bar, kg...).")
    # Limits are not summed in grouped lists.
    min_value = fields.Float("Minimum", digits=(16, 4), aggregator=False)
    max_value = fields.Float("Maximum", digits=(16, 4), aggregator=False)
    serious = fields.Boolean(
        "Serious Defect",
        help="A failure of this item is a serious defect (wrong specification, missing parts, bad "
        "appearance, quantity different from the delivery note): for purchased goods, the quality and "
        "purchasing managers are told at once.",
    )
    method = fields.Char(translate=True, help="How to inspect this item.")

    @api.constrains("kind", "min_value", "max_value")
    def _check_limits(self):
        for item in self:
            if item.kind == "measure" and item.max_value < item.min_value:
                raise ValidationError(
                    self.env._(
                        "Inspection item %(item)s: the maximum (%(max)s) is below the minimum (%(min)s).",
                        item=item.name,
                        max=item.max_value,
                        min=item.min_value,
                    )
                )
