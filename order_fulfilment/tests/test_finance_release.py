from odoo import Command
from odoo.tests import Form, HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common import FulfilmentCase, JsonRpcMixin, RpcError, load_chinese, only_in, staff_user

# The columns of the Waiting for Payment list.
LIST_FIELDS = [
    "name",
    "partner_id",
    "user_id",
    "amount_total",
    "fulfilment_invoice_refs",
    "invoice_status",
    "fulfilment_amount_due",
    "delivery_released",
    "state",
]


@tagged("post_install", "-at_install")
class TestFinanceRelease(JsonRpcMixin, HttpCase, FulfilmentCase):
    """Finance releases the orders waiting for payment over JSON-RPC without sales rights, and
    the members of any group a review rule names read the quotations they review."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_chart()
        cls.env["fulfilment.review.rule"].search([]).active = False
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Dalian Irrigation", "is_company": True, "fulfilment_customer_class": "B"}
        )
        cls.other_salesman = staff_user(cls.env, "of_fin_other_salesman", "sales_team.group_sale_salesman")
        cls.finance = staff_user(cls.env, "of_fin_only", "order_fulfilment.group_review_finance")
        cls.stock_user = staff_user(cls.env, "of_fin_stock", "stock.group_stock_user")
        cls.action = cls.env.ref("order_fulfilment.sale_order_action_waiting_payment")

    def _confirmed(self, partner=None, user=None, company=None, qty=10):
        Order = self.env["sale.order"].with_company(company or self.company)
        order = Order.create(
            {
                "partner_id": (partner or self.customer_b).id,
                "user_id": (user or self.other_salesman).id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.stocked.id,
                            "product_uom_qty": qty,
                            "price_unit": 50.0,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        return order

    def _waiting_rows(self, extra_domain=None):
        domain = safe_eval(self.action.domain) + (extra_domain or [])
        return self._call("sale.order", "search_read", domain, LIST_FIELDS)

    def _validate_delivery(self, order):
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self._pick(picking, 10).with_user(self.stock_user).button_validate()
        return picking

    # Finance without sales rights --------------------------------------------------
    def test_finance_lists_and_releases_without_sales_rights(self):
        waiting = self._confirmed()
        part_paid = self._confirmed()
        invoice = part_paid._create_invoices()
        invoice.action_post()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 200.0})._create_payments()
        class_a = self._confirmed(partner=self.customer)
        quotation = self._create_order(partner=self.customer_b, user=self.other_salesman)
        self.assertFalse(waiting.delivery_released)
        self.assertTrue(class_a.delivery_released)

        # The menu leads finance to the list from the Sales app.
        menus = self.env["ir.ui.menu"].with_user(self.finance).load_menus(debug=False)
        xmlids = {menu.get("xmlid") for menu in menus.values()}
        self.assertIn("order_fulfilment.sale_order_menu_waiting_payment", xmlids)
        self.assertIn("sale.sale_menu_root", xmlids)

        self.authenticate("of_fin_only", "of_fin_only")
        # The list and the form open: the web client loads their views as finance.
        views = self._call(
            "sale.order",
            "get_views",
            views=[[view.view_id.id, view.view_mode] for view in self.action.view_ids] + [[False, "search"]],
        )
        self.assertIn("fulfilment_amount_due", views["models"]["sale.order"]["fields"])
        rows = {row["id"]: row for row in self._waiting_rows()}
        self.assertIn(waiting.id, rows)
        self.assertIn(part_paid.id, rows)
        self.assertNotIn(class_a.id, rows, "a class A order does not wait for payment")
        self.assertNotIn(quotation.id, rows, "a quotation has no delivery to release")
        self.assertEqual(rows[waiting.id]["fulfilment_amount_due"], 500.0)
        self.assertEqual(rows[waiting.id]["user_id"][0], self.other_salesman.id)
        self.assertEqual(rows[part_paid.id]["fulfilment_invoice_refs"], invoice.name)
        self.assertAlmostEqual(rows[part_paid.id]["fulfilment_amount_due"], part_paid.amount_total - 200.0)
        self.assertEqual(rows[part_paid.id]["partner_id"][1], "Dalian Irrigation")
        # Read only: the release is the only change finance makes.
        with self.assertRaisesRegex(RpcError, "AccessError"):
            self._call("sale.order", "write", waiting.ids, {"client_order_ref": "PAID?"})
        with self.assertRaisesRegex(RpcError, "AccessError"):
            self._call("sale.order", "read", class_a.ids, ["name"])

        # Released from the list (the button calls the method on the selected rows).
        self._call("sale.order", "action_release_delivery", (waiting | part_paid).ids)
        self.assertEqual(waiting.fulfilment_released_by_id, self.finance)
        self.assertEqual(part_paid.fulfilment_released_by_id, self.finance)
        self.assertFalse({waiting.id, part_paid.id} & {row["id"] for row in self._waiting_rows()})
        # Finance still reads what it released, in the form of the list.
        form = Form(waiting.with_user(self.finance), view="order_fulfilment.sale_order_view_form_review")
        self.assertTrue(form.delivery_released)
        self.assertEqual(form.fulfilment_released_by_id, self.finance)
        self.assertEqual(len(form.order_line), 1)
        self.assertEqual(self._validate_delivery(waiting).state, "done")

    def test_salesman_finance_releases_another_salespersons_order(self):
        finance_sales = staff_user(
            self.env,
            "of_fin_sales",
            "sales_team.group_sale_salesman,order_fulfilment.group_review_finance",
        )
        order = self._confirmed(user=self.other_salesman)
        self.authenticate("of_fin_sales", "of_fin_sales")
        self.assertIn(order.id, [row["id"] for row in self._waiting_rows()])
        self._call("sale.order", "action_release_delivery", order.ids)
        self.assertTrue(order.delivery_released)
        self.assertEqual(order.fulfilment_released_by_id, finance_sales)
        with self.assertRaisesRegex(RpcError, "AccessError"):
            self._call("sale.order", "write", order.ids, {"client_order_ref": "MINE?"})
        self.assertEqual(self._validate_delivery(order).state, "done")

    def test_finance_of_one_company_only(self):
        company_b = self.env["res.company"].create({"name": "Finance Test Company B"})
        salesman_b = staff_user(
            self.env, "of_fin_salesman_b", "sales_team.group_sale_salesman", **only_in(company_b)
        )
        order_a = self._confirmed()
        order_b = self._confirmed(user=salesman_b, company=company_b)
        self.assertEqual(order_b.company_id, company_b)
        self.assertFalse(order_b.delivery_released)
        finance_b = staff_user(
            self.env, "of_fin_b", "order_fulfilment.group_review_finance", **only_in(company_b)
        )
        self.authenticate("of_fin_only", "of_fin_only")
        ids = {row["id"] for row in self._waiting_rows()}
        self.assertIn(order_a.id, ids)
        self.assertNotIn(order_b.id, ids)
        for context in ({}, {"allowed_company_ids": [self.company.id, company_b.id]}):
            with self.subTest(context=context), self.assertRaisesRegex(RpcError, "AccessError"):
                self._call("sale.order", "action_release_delivery", order_b.ids, context=context)
        self.assertFalse(order_b.delivery_released)
        self.authenticate("of_fin_b", "of_fin_b")
        self.assertEqual({row["id"] for row in self._waiting_rows()} & {order_a.id, order_b.id}, {order_b.id})
        self._call("sale.order", "action_release_delivery", order_b.ids)
        self.assertEqual(order_b.fulfilment_released_by_id, finance_b)
        self.assertFalse(order_a.delivery_released)

    # Any group a review rule names ---------------------------------------------
    def test_admins_own_group_reads_and_decides(self):
        plant_managers = self.env["res.groups"].create({"name": "Plant Managers"})
        manager = staff_user(self.env, "of_plant_manager", "base.group_user")
        manager.groups_id = [Command.link(plant_managers.id)]
        staff_user(self.env, "of_plain_employee", "base.group_user")
        self.env["fulfilment.review.rule"].create({"name": "Plant sign-off", "group_id": plant_managers.id})
        quotation = self._create_order([(self.pump, 2, 1000.0)], client_order_ref="PM-1")
        quotation.with_user(self.salesman).action_request_review()
        review = quotation.review_ids
        self.assertEqual(review.group_id, plant_managers)
        not_reviewed = self._create_order([(self.stocked, 1, 50.0)])

        self.authenticate("of_plant_manager", "of_plant_manager")
        rows = self._call(
            "sale.order", "search_read", [], ["name", "partner_id", "order_line", "review_state"]
        )
        self.assertEqual([row["id"] for row in rows], quotation.ids, "only the quotation under review")
        self.assertEqual(rows[0]["partner_id"][1], self.customer.name)
        lines = self._call(
            "sale.order.line", "search_read", [], ["order_id", "product_id", "product_uom_qty", "price_unit"]
        )
        self.assertEqual([line["id"] for line in lines], quotation.order_line.ids)
        self.assertEqual(lines[0]["product_id"][1], self.pump.display_name)
        with self.assertRaisesRegex(RpcError, "AccessError"):
            self._call("sale.order", "read", not_reviewed.ids, ["name"])
        with self.assertRaisesRegex(RpcError, "AccessError"):
            self._call("sale.order", "write", quotation.ids, {"client_order_ref": "PM-2"})
        # The review opens the read-only quotation form, which loads as the member.
        action = self._call("fulfilment.review", "action_open_record", review.ids)
        view = self.env.ref("order_fulfilment.sale_order_view_form_review")
        self.assertEqual(action["views"], [[view.id, "form"]])
        form = Form(quotation.with_user(manager), view=view)
        self.assertEqual(form.client_order_ref, "PM-1")
        self.assertTrue(form.review_can_decide)
        self._call("fulfilment.review", "action_approve", review.ids)
        self.assertEqual(review.state, "approved")
        self.assertEqual(review.reviewer_id, manager)
        self.assertEqual(quotation.review_state, "approved")

        # An employee without a review reads no order and no line.
        self.authenticate("of_plain_employee", "of_plain_employee")
        self.assertEqual(self._call("sale.order", "search_read", [], ["name"]), [])
        self.assertEqual(self._call("sale.order.line", "search_read", [], ["name"]), [])
        with self.assertRaisesRegex(RpcError, "AccessError"):
            self._call("sale.order", "read", quotation.ids, ["name"])

    def test_other_apps_keep_reading_every_order(self):
        """Warehouse and manufacturing users read every order, as in standard Odoo, reviewers or not."""
        planner = staff_user(
            self.env, "of_fin_planner", "mrp.group_mrp_user,order_fulfilment.group_review_production"
        )
        self.assertTrue(planner)
        order = self._create_order([(self.stocked, 1, 50.0)])
        for login in ("of_fin_planner", "of_fin_stock"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                rows = self._call("sale.order", "search_read", [("id", "=", order.id)], ["name"])
                self.assertEqual([row["id"] for row in rows], order.ids)
                lines = self._call("sale.order.line", "search_read", [("order_id", "=", order.id)], ["name"])
                self.assertEqual([line["id"] for line in lines], order.order_line.ids)

    def test_waiting_for_payment_in_chinese(self):
        load_chinese(self.env)
        env_zh = self.env(context=dict(self.env.context, lang="zh_CN"))
        self.assertEqual(env_zh.ref("order_fulfilment.sale_order_menu_waiting_payment").name, "待付款")
        self.assertEqual(env_zh.ref("order_fulfilment.sale_order_action_waiting_payment").name, "待付款")
        self.assertIn(
            "没有待付款的订单", env_zh.ref("order_fulfilment.sale_order_action_waiting_payment").help
        )
        fields = env_zh["sale.order"].fields_get(
            ["fulfilment_amount_due", "fulfilment_invoice_refs"], ["string"]
        )
        self.assertEqual(fields["fulfilment_amount_due"]["string"], "未收金额")
        self.assertEqual(fields["fulfilment_invoice_refs"]["string"], "发票号")
        arch = env_zh["sale.order"].get_view(
            self.env.ref("order_fulfilment.sale_order_view_list_waiting_payment").id, "list"
        )["arch"]
        self.assertIn("放行发货", arch)
        self.assertIn("允许所选订单在客户付款前发货？", arch)
