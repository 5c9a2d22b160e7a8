"""Precise invalidation: after a change of a quotation under review, each sign-off is kept,
dropped or asked again depending on what its rule looks at, and new rules join the round."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .test_review import ReviewCase


@tagged("post_install", "-at_install")
class TestReviewReconcile(ReviewCase):
    def _current(self, order, group):
        return order._review_current().filtered(lambda r: r.group_id == group)

    def test_discount_rule_kept_on_later_date_asked_on_bigger_discount_dropped_when_gone(self):
        self._rule(self.group_director, min_discount=10)
        order = self._create_order([(self.pump, 1, 800.0)])
        self._request(order)
        approved = self._approve(order, self.director)
        self.assertEqual(order.review_state, "approved")
        order.write({"commitment_date": fields.Datetime.now() + timedelta(days=60)})
        self.assertEqual(approved.state, "approved", "a later date does not concern a discount rule")
        self.assertEqual(order.review_state, "approved")
        self.assertIn("kept", order.message_ids[0].body)
        order.order_line.price_unit = 700
        self.assertEqual(approved.state, "cancelled")
        again = self._current(order, self.group_director)
        self.assertEqual(again.state, "pending")
        self.assertIn("a discount grew", order.message_ids[0].body)
        order.order_line.price_unit = 950
        self.assertEqual(again.state, "cancelled")
        self.assertEqual(order.review_state, "none", "no rule applies any more")
        self.assertIn("no longer needed", order.message_ids[0].body)
        order.action_confirm()

    def test_below_last_price_kept_on_price_increase(self):
        previous = self._create_order([(self.stocked, 1, 50.0)])
        previous.action_confirm()
        self._rule(self.group_director, below_last_price=True)
        order = self._create_order([(self.stocked, 1, 40.0)])
        self._request(order)
        approved = self._approve(order, self.director)
        order.order_line.price_unit = 45
        self.assertEqual(approved.state, "approved", "a higher price, still below: the sign-off holds")
        self.assertEqual(order.review_state, "approved")
        order.order_line.price_unit = 35
        self.assertEqual(approved.state, "cancelled")
        self.assertEqual(self._current(order, self.group_director).state, "pending")
        self.assertIn("last price", order.message_ids[0].body)

    def test_amount_rule_and_a_new_rule_join_the_round(self):
        self._rule(self.group_finance, min_amount=1500)
        self._rule(self.group_technical, nonstandard_only=True)
        special = self.env["product.product"].create(
            {"name": "Custom impeller", "list_price": 300.0, "fulfilment_nonstandard": True}
        )
        order = self._create_order([(self.pump, 2, 1000.0)])
        reviews = self._request(order)
        self.assertEqual(reviews.group_id, self.group_finance)
        round_ = reviews.round
        self._approve(order, self.accountant)
        order.order_line.product_uom_qty = 1.8
        self.assertEqual(reviews.state, "approved", "a lower total still over the limit: kept")
        order.write({"order_line": [Command.create({"product_id": special.id, "product_uom_qty": 1})]})
        technical = self._current(order, self.group_technical)
        finance = self._current(order, self.group_finance)
        self.assertEqual(technical.state, "pending", "the new rule adds its sign-off to the round")
        self.assertEqual(technical.round, round_)
        self.assertEqual(reviews.state, "cancelled", "the total rose: asked again")
        self.assertEqual(finance.state, "pending")
        body = order.message_ids[0].body
        self.assertIn("added", body)
        self.assertIn("the total rose", body)

    def test_earlier_step_asked_again_later_step_waits(self):
        self._rule(self.group_production, sequence=10, min_amount=1500)
        self._rule(self.group_finance, sequence=20, min_discount=10)
        order = self._create_order([(self.pump, 2, 1000.0)])
        # A discount, not a lower price: Odoo prices a quotation line again when its quantity changes.
        order.order_line.discount = 20
        self._request(order)
        self._approve(order, self.producer)
        finance = self._current(order, self.group_finance)
        self.assertEqual(finance.state, "pending")
        order.order_line.product_uom_qty = 3
        self.assertEqual(self._current(order, self.group_production).state, "pending")
        self.assertEqual(finance.state, "waiting", "the same sign-off waits for the earlier step again")
        self.assertFalse(
            order.activity_ids.filtered(lambda a: a.fulfilment_review_id == finance),
            "a step that waits has no activity",
        )
