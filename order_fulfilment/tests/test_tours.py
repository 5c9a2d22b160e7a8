from odoo.tests import HttpCase, new_test_user, tagged

from .common import FulfilmentCase, staff_user


@tagged("post_install", "-at_install")
class TestTours(HttpCase, FulfilmentCase):
    """The main flows clicked through the web client by the users who do them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Only the rules each test sets up apply.
        cls.env["fulfilment.review.rule"].search([]).active = False
        # A production planner: signs the production review, has no sales rights.
        cls.reviewer = new_test_user(
            cls.env,
            login="of_tour_reviewer",
            groups="order_fulfilment.group_review_production,mrp.group_mrp_user",
            name="Rita Reviewer",
        )
        cls.director = new_test_user(
            cls.env,
            login="of_tour_director",
            groups="order_fulfilment.group_sales_director",
            name="Dora Director",
        )
        cls.producer = new_test_user(
            cls.env, login="of_tour_producer", groups="mrp.group_mrp_user", name="Paul Producer"
        )
        cls.agent = new_test_user(
            cls.env,
            login="of_tour_agent",
            groups="order_fulfilment.group_aftersales_user,sales_team.group_sale_salesman_all_leads,"
            "stock.group_stock_user",
            name="Andy Agent",
        )
        cls.Order = cls.env["sale.order"]

    def _quotations_url(self, order=None):
        url = "/odoo/action-sale.action_quotations_with_onboarding"
        return f"{url}/{order.id}" if order else url

    def test_review_request_approve_confirm(self):
        rule = self.env["fulfilment.review.rule"].create(
            {
                "name": "Production capacity (orders of 500 or more)",
                "applies_to": "sale_order",
                "sequence": 10,
                "group_id": self.env.ref("order_fulfilment.group_review_production").id,
                "min_amount": 500.0,
            }
        )
        domain = [("partner_id", "=", self.customer.id)]
        before = self.Order.search(domain)

        self.start_tour(self._quotations_url(), "order_fulfilment_review_request", login="of_salesman")
        order = self.Order.search(domain) - before
        self.assertEqual(len(order), 1, "the salesperson created one quotation")
        self.assertEqual(order.user_id, self.salesman)
        self.assertEqual(order.order_line.product_id, self.pump)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.review_state, "pending")
        self.assertEqual(order.review_ids.rule_id, rule)
        self.assertEqual(order.review_ids.state, "pending")

        self.start_tour("/odoo", "order_fulfilment_review_approve", login="of_tour_reviewer")
        order.invalidate_recordset()
        self.assertEqual(order.review_ids.state, "approved")
        self.assertEqual(order.review_ids.reviewer_id, self.reviewer)
        self.assertEqual(order.review_state, "approved")
        self.assertEqual(order.state, "draft")

        self.start_tour(self._quotations_url(order), "order_fulfilment_review_confirm", login="of_salesman")
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")

    def test_review_forward_then_approve(self):
        self.env["fulfilment.review.rule"].create(
            {
                "name": "Production capacity",
                "group_id": self.env.ref("order_fulfilment.group_review_production").id,
            }
        )
        engineer = staff_user(
            self.env, "of_tour_engineer", "order_fulfilment.group_review_technical", name="Tess Technical"
        )
        order = self._create_order()
        order.with_user(self.salesman).action_request_review()
        review = order.review_ids

        self.start_tour("/odoo", "order_fulfilment_review_forward", login="of_tour_reviewer")
        review.invalidate_recordset()
        self.assertEqual(review.forward_user_ids, engineer)
        self.assertEqual(review.state, "pending")
        self.assertIn("Check the impeller drawing", "\n".join(order.message_ids.mapped("body")))
        todo = self.env["mail.activity"].search(
            [("fulfilment_review_id", "=", review.id), ("user_id", "=", engineer.id)]
        )
        self.assertEqual(len(todo), 1)

        self.start_tour("/odoo", "order_fulfilment_review_forward_approve", login="of_tour_engineer")
        review.invalidate_recordset()
        self.assertEqual(review.state, "approved")
        self.assertEqual(review.reviewer_id, engineer)
        self.assertEqual(order.review_state, "approved")

    def test_rush_order_shows_on_manufacturing_order(self):
        order = self._create_order([(self.pump, 2, 1000.0)])
        self.assertFalse(order.is_rush)

        self.start_tour(self._quotations_url(order), "order_fulfilment_rush_confirm", login="of_salesman")
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.is_rush)
        self.assertEqual(order.rush_reason, "Customer line stopped")
        productions = order.mrp_production_ids
        self.assertTrue(productions, "the MTO pump was sent to manufacturing")
        self.assertEqual(set(productions.mapped("priority")), {"1"})
        self.assertTrue(all(productions.mapped("fulfilment_is_rush")))

        top = productions.filtered(lambda mo: mo.product_id == self.pump)
        self.start_tour(
            f"/odoo/action-mrp.mrp_production_action/{top.id}",
            "order_fulfilment_rush_production",
            login="of_tour_producer",
        )

    def test_change_request_approve_apply(self):
        self.env.ref("order_fulfilment.fulfilment_review_rule_change_sales_director").active = True
        order = self._create_order([(self.stocked, 5, 50.0)])
        order.action_confirm()
        line = order.order_line

        self.start_tour(
            f"/odoo/action-sale.action_orders/{order.id}",
            "order_fulfilment_change_request",
            login="of_salesman",
        )
        request = order.change_request_ids
        self.assertEqual(len(request), 1)
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.change_type, "quantity")
        self.assertEqual(request.reason, "The customer needs 8 kits")
        self.assertEqual(request.line_ids.mapped("new_qty"), [8.0])
        self.assertEqual(request.review_ids.state, "pending")
        self.assertEqual(line.product_uom_qty, 5.0, "nothing changes before the approval")

        self.start_tour("/odoo", "order_fulfilment_change_request_approve", login="of_tour_director")
        request.invalidate_recordset()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.review_ids.reviewer_id, self.director)
        self.assertEqual(line.product_uom_qty, 5.0, "nothing changes before the apply")

        self.start_tour(
            f"/odoo/action-order_fulfilment.fulfilment_change_request_action/{request.id}",
            "order_fulfilment_change_request_apply",
            login="of_salesman",
        )
        request.invalidate_recordset()
        line.invalidate_recordset()
        self.assertEqual(request.state, "applied")
        self.assertEqual(line.product_uom_qty, 8.0)
        delivery = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(sum(delivery.move_ids.mapped("product_uom_qty")), 8.0)

    def test_ticket_assign_contact_return(self):
        order = self._create_order([(self.stocked, 5, 50.0)])
        order.action_confirm()
        delivery = self._pick(order.picking_ids)
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")

        self.start_tour(
            f"/odoo/action-sale.action_orders/{order.id}", "order_fulfilment_ticket", login="of_tour_agent"
        )
        ticket = self.env["fulfilment.ticket"].search([("order_id", "=", order.id)])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.picking_id, delivery)
        self.assertEqual(ticket.product_id, self.stocked)
        self.assertEqual(ticket.ticket_type, "return")
        self.assertEqual(ticket.state, "assigned")
        self.assertEqual(ticket.user_id, self.agent)
        self.assertTrue(ticket.first_contact_date)
        self.assertIn("inspection", "\n".join(ticket.message_ids.mapped("body")))
        back = ticket.return_picking_ids
        self.assertEqual(len(back), 1)
        self.assertEqual(back.picking_type_id.code, "incoming")
        self.assertEqual(back.move_ids.product_id, self.stocked)
        self.assertEqual(sum(back.move_ids.mapped("product_uom_qty")), 5.0)
