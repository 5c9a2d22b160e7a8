from odoo.tests import HttpCase, tagged

from .common import FulfilmentCase, staff_user


@tagged("post_install", "-at_install")
class TestInboxTour(HttpCase, FulfilmentCase):
    """A production reviewer's inbox, clicked through: only what they can decide, and why not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        # Only the rules and reviews of this test.
        cls.env["fulfilment.review.rule"].search([]).active = False
        cls.env["fulfilment.review"].search([("state", "in", ("waiting", "pending"))]).sudo().write(
            {"state": "cancelled"}
        )
        Rule = cls.env["fulfilment.review.rule"]
        for group in (
            ref("order_fulfilment.group_review_production"),
            ref("order_fulfilment.group_review_technical"),
        ):
            Rule.create({"name": f"{group.name} review", "group_id": group.id, "sequence": 10})
        # A production planner: signs the production review, has no sales rights.
        cls.reviewer = staff_user(
            cls.env, "of_inbox_reviewer", "order_fulfilment.group_review_production", name="Rita Reviewer"
        )
        cls.seller = staff_user(
            cls.env, "of_inbox_seller", "sales_team.group_sale_salesman", name="Sue Seller"
        )
        cls.order_a = cls._create_order(user=cls.seller, name="SO-INBOX-A")
        cls.order_a.action_request_review()
        # The planner also looks after one customer's quotation: they may not sign its review.
        cls.order_b = cls._create_order(user=cls.reviewer, name="SO-INBOX-B")
        cls.order_b.action_request_review()

    def test_reviewer_inbox(self):
        production = self.env.ref("order_fulfilment.group_review_production")
        review_a = self.order_a.review_ids.filtered(lambda r: r.group_id == production)
        technical_a = self.order_a.review_ids - review_a
        review_b = self.order_b.review_ids.filtered(lambda r: r.group_id == production)
        self.assertEqual((review_a | technical_a | review_b).mapped("state"), ["pending"] * 3)

        self.start_tour("/odoo", "order_fulfilment_review_inbox", login="of_inbox_reviewer")

        self.env.invalidate_all()
        self.assertEqual((review_a.state, review_a.reviewer_id), ("approved", self.reviewer))
        self.assertEqual(technical_a.state, "pending")
        self.assertEqual(self.order_a.review_state, "pending", "the technical review is still due")
        self.assertEqual((review_b.state, review_b.reviewer_id.id), ("pending", False))
