import contextlib
from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_compare, float_round
from odoo.tools.safe_eval import safe_eval

from ..tools.orm import run_batches


class FulfilmentReviewRule(models.Model):
    _name = "fulfilment.review.rule"
    _description = "Review Rule"
    _order = "applies_to, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        "Step",
        default=10,
        required=True,
        help="Reviews of the same step run in parallel; a step opens only when every review "
        "of the earlier steps is approved.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        index=True,
        help="Leave empty to apply the rule in every company.",
    )
    applies_to = fields.Selection(
        [("sale_order", "Quotations"), ("change_request", "Change Requests")],
        required=True,
        default="sale_order",
    )
    group_id = fields.Many2one(
        "res.groups",
        "Reviewer Group",
        required=True,
        ondelete="restrict",
        help="Members of this group sign the review.",
    )
    department_label = fields.Char(
        translate=True,
        help="The name of the department when it is not the name of the reviewer group "
        "(e.g. Sales Management for the sales administrators).",
    )
    department = fields.Char(
        compute="_compute_department",
        inverse="_inverse_department",
        search="_search_department",
        help="The department as the screens, messages and printed reports name it: its label, "
        "or else the name of the reviewer group.",
    )
    # Criteria: all of those that are set must hold. Thresholds and times are not summed
    # over a group of rules: a total of them means nothing.
    min_amount = fields.Monetary(
        "Minimum Amount",
        currency_field="currency_id",
        aggregator=None,
        help="The order total, in the company currency, is at least this amount.",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    rush_only = fields.Boolean("Rush Orders Only")
    nonstandard_only = fields.Boolean(
        "Non-standard Products Only", help="A line sells a product marked as non-standard."
    )
    min_discount = fields.Float(
        "Minimum Discount (%)",
        aggregator=None,
        help="A line sells below the product's sales price by this percentage or more, after discount.",
    )
    below_last_price = fields.Boolean(
        help="A line's unit price is below the last confirmed price for that customer and product."
    )
    over_credit_limit = fields.Boolean(
        "Customer Over Credit Limit",
        help="The customer's open receivables and confirmed orders not yet invoiced, plus this order, "
        "exceed the customer's credit limit.",
    )
    tight_date_only = fields.Boolean(
        "Date Too Tight Only",
        help="The requested delivery date (commitment date) is earlier than the earliest feasible "
        "date from stock, components and the load of the work centres (交期过紧).",
    )
    change_types = fields.Many2many(
        "fulfilment.change.type",
        help="For change requests: the types of change the rule covers. Empty means every type.",
    )
    filter_domain = fields.Char("Extra Condition", help="An extra domain on the reviewed records.")
    model_name = fields.Char(compute="_compute_model_name")
    response_hours = fields.Float(
        default=24.0,
        aggregator=None,  # not summed over a group of rules
        help="How long reviewers have to answer before the review is escalated.",
    )
    allow_self_review = fields.Boolean(
        help="Allow the order's salesperson and the requester to sign this review."
    )
    allow_forward = fields.Boolean(
        "Allow Forwarding",
        default=True,
        help="Reviewers may forward the review to a named colleague, who may then decide it too.",
    )
    note = fields.Text(translate=True, help="What reviewers should check.")

    _sql_constraints = [
        (
            "min_amount_positive",
            "CHECK(min_amount >= 0)",
            "The minimum amount of a review rule cannot be negative.",
        ),
        (
            "min_discount_range",
            "CHECK(min_discount >= 0 AND min_discount <= 100)",
            "The minimum discount of a review rule must be between 0 and 100%.",
        ),
        (
            "response_hours_positive",
            "CHECK(response_hours > 0)",
            "The response time of a review rule must be positive.",
        ),
    ]

    @api.depends("department_label", "group_id.name")
    @api.depends_context("lang")
    def _compute_department(self):
        for rule in self:
            rule.department = rule.department_label or rule.group_id.name

    def _inverse_department(self):
        for rule in self:
            label = (rule.department or "").strip()
            # The name of the group is no label: it follows the group, in every language.
            rule.department_label = label if label and label != rule.group_id.name else False

    def _search_department(self, operator, value):
        return [
            "|",
            "&",
            ("department_label", "!=", False),
            ("department_label", operator, value),
            "&",
            ("department_label", "=", False),
            ("group_id.name", operator, value),
        ]

    @api.depends("company_id")
    def _compute_currency_id(self):
        for rule in self:
            rule.currency_id = (rule.company_id or self.env.company).currency_id

    @api.depends("applies_to")
    def _compute_model_name(self):
        models_by_target = self._models_by_target()
        for rule in self:
            rule.model_name = models_by_target.get(rule.applies_to)

    @api.model
    def _models_by_target(self):
        """{applies_to: model name} of the models that use the review engine."""
        return {
            self.env[model]._review_applies_to: model
            for model in self.env["fulfilment.review.mixin"]._inherit_children
            if model in self.env and self.env[model]._review_applies_to
        }

    @api.constrains("filter_domain", "applies_to")
    def _check_filter_domain(self):
        for rule in self.filtered("filter_domain"):
            model_name = self._models_by_target().get(rule.applies_to)
            if model_name not in self.env:
                continue
            try:
                domain = safe_eval(rule.filter_domain, self._domain_eval_context())
                self.env[model_name].sudo().search_count(domain, limit=1)
            except Exception as error:
                raise ValidationError(
                    self.env._(
                        "Review rule %(rule)s: the extra condition is not a valid domain (%(error)s).",
                        rule=rule.display_name,
                        error=error,
                    )
                ) from error

    # ------------------------------------------------------------------
    # Cache of active rules: with no rules configured, matching costs no query.
    # ------------------------------------------------------------------
    @api.model
    @tools.ormcache("applies_to")
    def _active_rule_ids(self, applies_to):
        return tuple(self.sudo().search([("applies_to", "=", applies_to)]).ids)

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        if any("department" in vals for vals in vals_list):
            # The value given stays in cache, even where it is the group's name or empty.
            rules.invalidate_recordset(["department"])
        self._rules_changed()
        return rules

    def write(self, vals):
        if (
            vals.get("company_id")
            and not self.env.su
            and vals["company_id"] not in self.env.user.company_ids.ids
        ):
            raise AccessError(self.env._("Review rules can only move to a company you work for."))
        result = super().write(vals)
        if "department" in vals:
            self.invalidate_recordset(["department"])
        self._rules_changed()
        return result

    def unlink(self):
        result = super().unlink()
        self._rules_changed()
        return result

    def _rules_changed(self):
        self.env.registry.clear_cache()
        # Records not under review yet (quotations, draft change requests) show whether a
        # review is needed: refreshed in the background, not in this request.
        for model in self.env["fulfilment.review.mixin"]._inherit_children:
            self.env[model]._review_refresh_start()
        self.env.ref("order_fulfilment.ir_cron_fulfilment_review_refresh")._trigger()

    @api.model
    def _cron_refresh_review_states(self, batch_size=1000):
        """Scheduled action: the review status of open records after a rule change."""

        def batch(limit):
            done = 0
            for model in self.env["fulfilment.review.mixin"]._inherit_children:
                count, more = self.env[model]._review_refresh_batch(limit - done)
                done += count
                if more or done >= limit:
                    return done, True
            return done, False

        return run_batches(self.env, batch, batch_size)

    def _reason_items(self, fact):
        """Why this rule applies, as data: [[code, values]], stored on the reviews and written
        out by ``_render_reasons`` in the language of who reads them."""
        self.ensure_one()
        items = []
        if self.min_amount:
            items.append(["min_amount", {"amount": self.min_amount, "currency_id": self.currency_id.id}])
        if self.rush_only:
            items.append(["rush", {}])
        if self.nonstandard_only:
            items.append(["nonstandard", {"product_ids": fact["nonstandard"]}])
        if self.min_discount:
            product_ids = [
                product_id
                for product_id, discount in fact["line_discounts"]
                if float_compare(discount, self.min_discount, precision_digits=2) >= 0
            ]
            items.append(
                [
                    "min_discount",
                    {
                        "discount": float_round(self.min_discount, 2),
                        "product_ids": list(dict.fromkeys(product_ids)),
                    },
                ]
            )
        if self.below_last_price:
            items.append(["below_last_price", {"product_ids": fact["below_last_price"]}])
        if self.over_credit_limit:
            items.append(["over_credit_limit", {}])
        if self.tight_date_only:
            # The company's calendar day as data, formatted when the reason is read.
            items.append(["tight_date", {"date": fact.get("feasible_date") or False}])
        if self.change_types:
            items.append(["change_types", {"type_ids": self.change_types.ids}])
        if self.filter_domain:
            items.append(["filter_domain", {}])
        return items or [["every_order", {}]]

    def _reasons(self, fact):
        """Why this rule applies, for the banner: texts in the language of the environment."""
        return self._render_reasons(self._reason_items(fact))

    @api.model
    def _render_reasons(self, items):
        """The texts of reasons given as data (``_reason_items``), in the environment's language."""
        return self._render_reason_lists([items])[0]

    @api.model
    def _render_reason_lists(self, item_lists):
        """``_render_reasons`` of several lists at once: the products and change types they name
        are read in one go."""
        ids = defaultdict(set)
        for items in item_lists:
            for __, values in items or []:
                ids["product.product"].update(values.get("product_ids", []))
                ids["fulfilment.change.type"].update(values.get("type_ids", []))
        # Only names, which the reviewers already see on the reviewed document.
        names = {}
        for model, record_ids in ids.items():
            found = self.env[model].sudo().browse(sorted(record_ids)).exists()
            names[model] = dict(zip(found.ids, found.mapped("display_name"), strict=True))
        return [
            [self._render_reason(code, values, names) for code, values in items or []] for items in item_lists
        ]

    @api.model
    def _render_reason(self, code, values, names):
        """One reason in the environment's language; ``names``: {model: {id: display name}}."""

        def joined(model, key):
            return ", ".join(names[model][i] for i in values.get(key, []) if i in names[model])

        if code == "min_amount":
            currency = self.env["res.currency"].browse(values["currency_id"])
            return self.env._(
                "total of %(amount)s or more",
                amount=tools.format_amount(self.env, values["amount"], currency),
            )
        if code == "text":
            return values["text"]
        if code == "rush":
            return self.env._("rush order")
        if code == "nonstandard":
            return self.env._(
                "non-standard product: %(products)s", products=joined("product.product", "product_ids")
            )
        if code == "min_discount":
            return self.env._(
                "%(discount)s%% or more below the sales price: %(products)s",
                discount=values["discount"],
                products=joined("product.product", "product_ids"),
            )
        if code == "below_last_price":
            return self.env._(
                "below the last price to this customer: %(products)s",
                products=joined("product.product", "product_ids"),
            )
        if code == "over_credit_limit":
            return self.env._("customer over credit limit")
        if code == "tight_date":
            date = values.get("date")
            if date:
                # A calendar day (YYYY-MM-DD), in the reader's format; reasons stored before
                # that hold the text formatted when they were written.
                with contextlib.suppress(ValueError):
                    date = tools.format_date(self.env, fields.Date.to_date(date))
            return self.env._(
                "requested date earlier than the feasible date %(date)s",
                date=date or self.env._("unknown"),
            )
        if code == "change_types":
            return self.env._("change of type %(types)s", types=joined("fulfilment.change.type", "type_ids"))
        if code == "filter_domain":
            return self.env._("extra condition")
        if code == "production_started":
            return self.env._(
                "production already started: %(products)s", products=joined("product.product", "product_ids")
            )
        return self.env._("every order")
