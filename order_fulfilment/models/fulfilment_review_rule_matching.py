from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.tools import float_compare
from odoo.tools.safe_eval import safe_eval


class FulfilmentReviewRule(models.Model):
    """Which rules apply to which records: the criteria evaluated on whole recordsets, from facts
    read for all the records at once."""

    _inherit = "fulfilment.review.rule"

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

    # ------------------------------------------------------------------
    # The facts the criteria compare
    # ------------------------------------------------------------------
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
