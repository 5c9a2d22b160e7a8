from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import JsonRpcMixin, RpcError


@tagged("post_install", "-at_install")
class TestReviewRpc(JsonRpcMixin, HttpCase):
    """The gate and the permissions hold for a JSON-RPC client, not only in the screens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, login="rpc_salesman", groups="sales_team.group_sale_salesman")
        cls.producer = new_test_user(
            cls.env, login="rpc_producer", groups="order_fulfilment.group_review_production"
        )
        cls.env["fulfilment.review.rule"].create(
            {
                "name": "Production review",
                "group_id": cls.env.ref("order_fulfilment.group_review_production").id,
            }
        )
        product = cls.env["product.product"].create({"name": "Pump", "list_price": 100})
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.env["res.partner"].create({"name": "RPC Customer"}).id,
                "user_id": cls.salesman.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )

    def test_salesman_cannot_pass_the_gate(self):
        self.authenticate("rpc_salesman", "rpc_salesman")
        for context in ({}, {"skip_review": True, "tracking_disable": True, "skip_validation_check": True}):
            with self.subTest(context=context), self.assertRaisesRegex(RpcError, "UserError"):
                self._call("sale.order", "action_confirm", self.order.ids, context=context)
        with self.assertRaisesRegex(RpcError, "UserError"):
            self._call("sale.order", "write", self.order.ids, {"state": "sale"})
        with self.assertRaisesRegex(RpcError, "UserError"):
            self._call("sale.order", "write", self.order.ids, {"review_state": "approved"})
        self.assertEqual(self.order.state, "draft")
        # Requesting works, but the reviews cannot be forged or approved by the salesman.
        self._call("sale.order", "action_request_review", self.order.ids)
        review = self.order.review_ids
        self.assertEqual(review.state, "pending")
        with self.assertRaisesRegex(RpcError, "AccessError"):
            self._call("fulfilment.review", "action_approve", review.ids)
        with self.assertRaisesRegex(RpcError, "AccessError"):
            self._call("fulfilment.review", "write", review.ids, {"state": "approved"})
        with self.assertRaisesRegex(RpcError, "AccessError"):
            self._call(
                "fulfilment.review",
                "create",
                {
                    "res_model": "sale.order",
                    "res_id": self.order.id,
                    "order_id": self.order.id,
                    "group_id": 1,
                },
            )
        with self.assertRaisesRegex(RpcError, "UserError"):
            self._call("sale.order", "action_confirm", self.order.ids)
        self.assertEqual(review.state, "pending")

    def test_reviewer_approves_then_salesman_confirms(self):
        self.order.with_user(self.salesman).action_request_review()
        review = self.order.review_ids
        self.authenticate("rpc_producer", "rpc_producer")
        orders = self._call(
            "sale.order", "search_read", [("id", "=", self.order.id)], ["name", "review_state"]
        )
        self.assertEqual(orders[0]["review_state"], "pending", "reviewers read the orders they review")
        with self.assertRaisesRegex(RpcError, "AccessError"):
            self._call("sale.order", "action_confirm", self.order.ids)
        self._call("fulfilment.review", "action_approve", review.ids)
        self.assertEqual(review.state, "approved")
        self.authenticate("rpc_salesman", "rpc_salesman")
        self._call("sale.order", "action_confirm", self.order.ids)
        self.assertEqual(self.order.state, "sale")
