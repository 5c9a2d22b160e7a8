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
        string="Step",
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
        string="Reviewer Group",
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
        string="Minimum Amount",
        currency_field="currency_id",
        aggregator=None,
        help="The order total, in the company currency, is at least this amount.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
    )
    rush_only = fields.Boolean(string="Rush Orders Only")
    nonstandard_only = fields.Boolean(
        string="Non-standard Products Only",
        help="A line sells a product marked as non-standard.",
    )
    min_discount = fields.Float(
        string="Minimum Discount (%)",
        aggregator=None,
        help="A line sells below the product's sales price by this percentage or more, after discount.",
    )
    below_last_price = fields.Boolean(
        help="A line's unit price is below the last confirmed price for that customer and product.",
    )
    over_credit_limit = fields.Boolean(
        string="Customer Over Credit Limit",
        help="The customer's open receivables and confirmed orders not yet invoiced, plus this order, "
        "exceed the customer's credit limit.",
    )
    tight_date_only = fields.Boolean(
        string="Date Too Tight Only",
        help="The requested delivery date (commitment date) is earlier than the earliest feasible "
        "date from stock, components and the load of the work centres (交期过紧).",
    )
    change_types = fields.Many2many(
        "fulfilment.change.type",
        help="For change requests: the types of change the rule covers. Empty means every type.",
    )
    filter_domain = fields.Char(
        string="Extra Condition",
        help="An extra domain on the reviewed records.",
    )
    model_name = fields.Char(compute="_compute_model_name")
    response_hours = fields.Float(
        default=24.0,
        aggregator=None,  # not summed over a group of rules
        help="How long reviewers have to answer before the review is escalated.",
    )
    allow_self_review = fields.Boolean(
        help="Allow the order's salesperson and the requester to sign this review.",
    )
    min_approvers = fields.Integer(
        string="Approvers Needed",
        default=1,
        required=True,
        aggregator=None,
        help="How many different members of the group must approve (e.g. 2 of the finance team). "
        "One rejection rejects the sign-off.",
    )
    allow_forward = fields.Boolean(
        string="Allow Forwarding",
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
        (
            "min_approvers_positive",
            "CHECK(min_approvers >= 1)",
            "A review rule needs at least one approver.",
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

    @api.constrains("min_approvers")
    def _check_min_approvers(self):
        for rule in self:
            if rule.min_approvers < 1:
                raise ValidationError(
                    self.env._(
                        "Review rule %(rule)s: at least one approver is needed (Approvers Needed is 1 "
                        "or more).",
                        rule=rule.display_name,
                    )
                )

    @api.constrains("min_approvers", "group_id", "company_id", "active")
    def _check_min_approvers_members(self):
        """A sign-off that needs N approvers needs N people who can sign: active internal
        members of the group (of the rule's company, when it has one). A rule needing one
        approver may wait for its group to get members."""
        for rule in self.filtered(lambda r: r.active and r.min_approvers > 1):
            members = (
                rule.group_id.sudo()
                .with_context(active_test=True)
                .users.filtered(
                    lambda u, rule=rule: (
                        not u.share and u.active and (not rule.company_id or rule.company_id in u.company_ids)
                    )
                )
            )
            if len(members) < rule.min_approvers:
                raise ValidationError(
                    self.env._(
                        "Review rule %(rule)s needs %(needed)s approvers, but its group %(group)s has "
                        "only %(count)s active member(s) who can sign: lower Approvers Needed or add "
                        "members to the group.",
                        rule=rule.display_name,
                        needed=rule.min_approvers,
                        group=rule.group_id.sudo().full_name,
                        count=len(members),
                    )
                )

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

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------
    @api.model
    def _domain_eval_context(self):
        return {
            "datetime": tools.safe_eval.datetime,
            "dateutil": tools.safe_eval.dateutil,
            "time": tools.safe_eval.time,
            "context_today": lambda: fields.Date.context_today(self),
            "uid": self.env.uid,
            "user": self.env.user,
        }

    @api.model
    def _rules_for(self, records, applies_to):
        """Return {record: rules} for the records that need review, in one pass per rule."""
        return self._rules_and_facts(records, applies_to)[0]

    @api.model
    def _rules_and_facts(self, records, applies_to):
        """Return ({record: rules}, {record id: facts}) for the records that need review."""
        rule_ids = self._active_rule_ids(applies_to)
        if not rule_ids or not records:
            return {}, {}
        # exists(): a transaction rolled back after creating a rule may leave its id in the cache.
        rules = self.sudo().browse(rule_ids).exists()
        if len(rules) != len(rule_ids):
            self.env.registry.clear_cache()
        if not rules:
            return {}, {}
        facts = self._review_facts(records, rules)
        result = defaultdict(lambda: self.sudo().browse())
        for rule in rules:
            for record in rule._filter_matching(records, facts):
                result[record] |= rule
        return dict(result), facts

    def _filter_matching(self, records, facts=None):
        """The records this rule covers (all set criteria hold)."""
        self.ensure_one()
        if facts is None:
            facts = self._review_facts(records, self)
        matching = records.filtered(lambda r: self._matches_facts(facts[r.id]))
        if matching and self.filter_domain:
            domain = safe_eval(self.filter_domain, self._domain_eval_context())
            matching = matching.sudo().filtered_domain(domain).with_env(records.env)
        return matching

    def _matches_facts(self, fact):
        self.ensure_one()
        if self.company_id and self.company_id != fact["company"]:
            return False
        if self.change_types and fact["change_type"] not in self.change_types.mapped("code"):
            return False
        if self.min_amount and float_compare(fact["amount"], self.min_amount, precision_digits=2) < 0:
            return False
        if self.rush_only and not fact["rush"]:
            return False
        if self.nonstandard_only and not fact["nonstandard"]:
            return False
        if (
            self.min_discount
            and float_compare(fact["max_discount"], self.min_discount, precision_digits=2) < 0
        ):
            return False
        if self.below_last_price and not fact["below_last_price"]:
            return False
        if self.tight_date_only and not fact.get("tight_date"):
            return False
        return not self.over_credit_limit or fact["over_credit"]

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

    @api.model
    def _review_facts(self, records, rules):
        """The values the criteria compare, computed for the whole recordset at once."""
        orders_by_record = {record.id: record._review_order() for record in records}
        orders = self.env["sale.order"].union(*orders_by_record.values()).sudo()
        need = {
            "discount": any(rules.mapped("min_discount")),
            "last_price": any(rules.mapped("below_last_price")),
            "credit": any(rules.mapped("over_credit_limit")),
            "tight_date": any(rules.mapped("tight_date_only")),
        }
        order_facts = {order.id: self._order_facts(order) for order in orders}
        if need["discount"]:
            self._add_discount_facts(orders, order_facts)
        if need["last_price"]:
            self._add_last_price_facts(orders, order_facts)
        if need["credit"]:
            self._add_credit_facts(orders, order_facts)
        if need["tight_date"]:
            order_facts.update(orders._fulfilment_tight_date_facts(order_facts))
        facts = {}
        for record in records:
            order = orders_by_record[record.id]
            fact = dict(order_facts.get(order.id) or self._order_facts(order))
            fact["company"] = record.company_id or order.company_id
            fact["change_type"] = record._review_change_type()
            facts[record.id] = fact
        return facts

    @api.model
    def _order_facts(self, order):
        company = order.company_id
        amount = order.amount_total
        if order.currency_id and company and order.currency_id != company.currency_id:
            amount = order.currency_id._convert(
                amount, company.currency_id, company, order.date_order or fields.Date.today()
            )
        nonstandard = order.order_line.product_id.filtered(lambda p: p.product_tmpl_id.fulfilment_nonstandard)
        return {
            "company": company,
            "partner": order.partner_id.commercial_partner_id.id,
            "commitment_date": order.commitment_date,
            # {line id: (product id, quantity, unit price after discount)}: what changed, by line.
            "lines": {
                line.id: (line.product_id.id, line.product_uom_qty, line.price_reduce_taxexcl)
                for line in order.order_line
                if not line.display_type
            },
            "amount": amount,
            "rush": order.is_rush,
            "nonstandard": nonstandard.ids,
            "max_discount": 0.0,
            "line_discounts": [],
            "below_last_price": [],
            "over_credit": False,
            "change_type": False,
        }

    @api.model
    def _line_price_in_company_currency(self, line):
        price = line.price_reduce_taxexcl
        order = line.order_id
        company = order.company_id
        if order.currency_id and company and order.currency_id != company.currency_id:
            price = order.currency_id._convert(price, company.currency_id, company, order.date_order)
        return price

    @api.model
    def _add_discount_facts(self, orders, order_facts):
        for order in orders:
            line_discounts = []
            for line in order.order_line.filtered(lambda line: line.product_id and not line.display_type):
                list_price = line.product_id.lst_price
                if list_price <= 0:
                    continue
                discount = (list_price - self._line_price_in_company_currency(line)) / list_price * 100.0
                line_discounts.append((line.product_id.id, discount))
            order_facts[order.id]["line_discounts"] = line_discounts
            order_facts[order.id]["max_discount"] = max((d for __, d in line_discounts), default=0.0)

    @api.model
    def _add_last_price_facts(self, orders, order_facts):
        lines = orders.order_line.filtered(lambda line: line.product_id and not line.display_type)
        if not lines:
            return
        partners = orders.partner_id.commercial_partner_id
        self.env["sale.order.line"].flush_model(["price_reduce_taxexcl", "product_id", "order_id", "state"])
        self.env["sale.order"].flush_model(["partner_id", "date_order", "state", "currency_id"])
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (partner.commercial_partner_id, line.product_id)
                   partner.commercial_partner_id, line.product_id, line.price_reduce_taxexcl,
                   so.currency_id, so.company_id, so.date_order
              FROM sale_order_line line
              JOIN sale_order so ON so.id = line.order_id
              JOIN res_partner partner ON partner.id = so.partner_id
             WHERE so.state = 'sale'
               AND line.display_type IS NULL
               AND partner.commercial_partner_id IN %s
               AND line.product_id IN %s
               AND so.id NOT IN %s
          ORDER BY partner.commercial_partner_id, line.product_id, so.date_order DESC, line.id DESC
            """,
            [
                tuple(partners.ids),
                tuple(lines.product_id.ids),
                tuple(i for i in orders._origin.ids if i) or (0,),
            ],
        )
        last_prices = {}
        for partner_id, product_id, price, currency_id, company_id, date in self.env.cr.fetchall():
            company = self.env["res.company"].browse(company_id)
            currency = self.env["res.currency"].browse(currency_id)
            if currency != company.currency_id:
                price = currency._convert(price, company.currency_id, company, date)
            last_prices[partner_id, product_id] = price
        for order in orders:
            below = []
            partner_id = order.partner_id.commercial_partner_id.id
            for line in order.order_line.filtered(lambda line: line.product_id and not line.display_type):
                last = last_prices.get((partner_id, line.product_id.id))
                if last is None:
                    continue
                price = self._line_price_in_company_currency(line)
                if float_compare(price, last, precision_rounding=order.currency_id.rounding or 0.01) < 0:
                    below.append(line.product_id.id)
            order_facts[order.id]["below_last_price"] = list(dict.fromkeys(below))

    @api.model
    def _add_credit_facts(self, orders, order_facts):
        for company, company_orders in orders.grouped("company_id").items():
            partners = company_orders.partner_id.commercial_partner_id.with_company(company).sudo()
            # Non-stored and not invalidated by new orders or invoices: read them fresh, all at once.
            partners.invalidate_recordset(["credit", "debit", "credit_to_invoice"])
            partners.mapped("credit")
            for order in company_orders:
                partner = order.partner_id.commercial_partner_id.with_company(company).sudo()
                if not partner.credit_limit:
                    continue
                total = partner.credit + partner.credit_to_invoice + order_facts[order.id]["amount"]
                if order.state == "sale":
                    # A confirmed order already counts in what is still to invoice.
                    total -= order_facts[order.id]["amount"]
                order_facts[order.id]["over_credit"] = (
                    float_compare(
                        total, partner.credit_limit, precision_rounding=company.currency_id.rounding
                    )
                    > 0
                )
