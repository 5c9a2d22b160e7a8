from odoo import models
from odoo.tools import float_compare


class FulfilmentReviewRule(models.Model):
    """Whether the sign-off of a rule still holds after a change of the reviewed record."""

    _inherit = "fulfilment.review.rule"

    # ------------------------------------------------------------------
    # After a change: does a sign-off that still applies hold?
    # ------------------------------------------------------------------
    def _has_criteria(self):
        self.ensure_one()
        return any(
            (
                self.min_amount,
                self.rush_only,
                self.nonstandard_only,
                self.min_discount,
                self.below_last_price,
                self.over_credit_limit,
                self.tight_date_only,
                self.change_types,
                self.filter_domain,
            )
        )

    def _reask_reasons(self, before, after):
        """Why the sign-off of this rule, which still applies, must be asked again after a change
        of the record from the facts ``before`` to ``after``: a list of function(env) -> text,
        empty when the sign-off still covers the record (the change does not make worse what
        the rule looks at: e.g. a later requested date for a discount rule, a higher price for
        a below-last-price rule). When in doubt (an extra condition, a rule on every order, a
        new customer) it is asked again."""
        self.ensure_one()
        reasons = []
        old_lines, new_lines = before["lines"], after["lines"]
        added = {line_id: values for line_id, values in new_lines.items() if line_id not in old_lines}
        more = {
            line_id
            for line_id, (product, qty, __) in new_lines.items()
            if line_id in old_lines and (product != old_lines[line_id][0] or qty > old_lines[line_id][1])
        }
        if before["partner"] != after["partner"]:
            reasons.append(lambda env: env._("the customer changed"))
        if self.filter_domain:
            reasons.append(lambda env: env._("the rule's extra condition may read the change"))
        if not self._has_criteria():
            reasons.append(lambda env: env._("the rule covers every order"))
        if (self.min_amount or self.over_credit_limit) and float_compare(
            after["amount"], before["amount"], precision_digits=2
        ) > 0:
            reasons.append(lambda env: env._("the total rose"))
        if self.nonstandard_only and set(after["nonstandard"]) - set(before["nonstandard"]):
            reasons.append(lambda env: env._("a non-standard product was added"))
        if self.min_discount:
            old_discounts = dict(before["line_discounts"])
            if any(
                float_compare(discount, old_discounts.get(product, 0.0), precision_digits=2) > 0
                for product, discount in after["line_discounts"]
            ):
                reasons.append(lambda env: env._("a discount grew"))
        if self.below_last_price:
            below = set(after["below_last_price"])
            lower = any(
                values[0] in below
                and (
                    line_id in added
                    or float_compare(values[2], old_lines[line_id][2], precision_digits=6) < 0
                )
                for line_id, values in new_lines.items()
            )
            if below - set(before["below_last_price"]) or lower:
                reasons.append(lambda env: env._("a price fell below the customer's last price"))
        if self.tight_date_only and (
            added
            or more
            or (before["commitment_date"] and not after["commitment_date"])
            or (
                before["commitment_date"]
                and after["commitment_date"]
                and after["commitment_date"] < before["commitment_date"]
            )
            or before["rush"] != after["rush"]
        ):
            reasons.append(lambda env: env._("the requested date or the quantities changed"))
        return reasons
