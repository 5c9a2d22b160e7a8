from odoo.tests import Form, new_test_user, tagged

from .common import FulfilmentCase


@tagged("post_install", "-at_install")
class TestReviewerOpensQuotation(FulfilmentCase):
    """A reviewer with no sales or inventory rights opens and decides the quotation they review."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["fulfilment.review.rule"].search([]).active = False
        group = cls.env.ref("order_fulfilment.group_review_technical")
        cls.env["fulfilment.review.rule"].create({"name": "Technical review", "group_id": group.id})
        cls.engineer = new_test_user(
            cls.env, login="of_pure_engineer", groups="order_fulfilment.group_review_technical", name="Eve"
        )

    def test_review_form_opens_for_a_pure_reviewer(self):
        order = self._create_order([(self.pump, 2, 1000.0)], client_order_ref="HW-77")
        order.with_user(self.salesman).action_request_review()
        review = order.review_ids.with_user(self.engineer)
        action = review.action_open_record()
        view = self.env.ref("order_fulfilment.sale_order_view_form_review")
        self.assertEqual(action["views"], [(view.id, "form")])
        # The web client reads the fields of the view as the reviewer: none may be refused.
        form = Form(order.with_user(self.engineer), view=view)
        self.assertEqual(form.client_order_ref, "HW-77")
        self.assertEqual(form.review_state, "pending")
        self.assertTrue(form.review_can_decide)
        self.assertEqual(len(form.order_line), 1)
        order.with_user(self.engineer).action_review_approve()
        self.assertEqual(order.review_state, "approved")

    def test_salespeople_keep_the_sales_form(self):
        order = self._create_order()
        order.with_user(self.salesman).action_request_review()
        action = order.review_ids.with_user(self.salesman).action_open_record()
        self.assertNotIn("views", action)
