import re

from freezegun import freeze_time

from odoo.tests import tagged

from .common import FulfilmentCase, delivered_goods, load_chinese, staff_user


@tagged("post_install", "-at_install")
class TestReaderLanguage(FulfilmentCase):
    """What the addon writes is in the language of who reads it: activities and notifications in
    the recipient's, internal notes in the writer's (the company's for automation), customer
    messages in the customer's, and review reasons in the reader's, whoever requested the review."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_chinese(cls.env)
        cls.company.partner_id.email = "service@harbin-pumps.example.com"
        purchasing = "order_fulfilment.group_review_purchasing"
        cls.zh_buyer = staff_user(cls.env, "zh_buyer", purchasing, name="Wang Purchasing", lang="zh_CN")
        cls.en_buyer = staff_user(cls.env, "en_buyer", purchasing, name="Peter Purchasing", lang="en_US")
        salesman = "sales_team.group_sale_salesman"
        cls.zh_sales = staff_user(cls.env, "zh_sales", salesman, name="Li Sales", lang="zh_CN")
        cls.en_sales = staff_user(cls.env, "en_sales", salesman, name="Eve Sales", lang="en_US")
        agent = "order_fulfilment.group_aftersales_user"
        cls.zh_agent = staff_user(cls.env, "zh_agent", agent, name="Zhao Agent", lang="zh_CN")
        cls.en_agent = staff_user(cls.env, "en_agent", agent, name="Alan Agent", lang="en_US")
        cls.rule = cls.env["fulfilment.review.rule"].create(
            {
                "name": "Large orders",
                "group_id": cls.env.ref(purchasing).id,
                "min_amount": 5000.0,
                "sequence": 10,
            }
        )
        cls.review_type = cls.env.ref("order_fulfilment.mail_activity_type_review")

    def _large_order(self, user):
        return self._create_order([(self.pump, 6, 1000.0)], user=user)

    def _notes(self, record):
        return " ".join(record.message_ids.mapped("body"))

    def test_reviewer_activity_in_reviewers_language(self):
        order = self._large_order(self.en_sales)
        order.with_user(self.en_sales).action_request_review()
        activities = order.activity_ids.filtered(lambda a: a.activity_type_id == self.review_type)
        chinese = activities.filtered(lambda a: a.user_id == self.zh_buyer)
        english = activities.filtered(lambda a: a.user_id == self.en_buyer)
        self.assertEqual(chinese.summary, "采购评审员 评审")
        self.assertIn("总额达到", str(chinese.note))
        self.assertEqual(english.summary, "Purchasing Reviewer review")
        self.assertIn("total of", str(english.note))

    def test_review_reason_in_readers_language(self):
        order = self._large_order(self.en_sales)
        self.assertIn("采购评审员", order.with_context(lang="zh_CN").review_requirement)
        self.assertIn("总额达到", order.with_context(lang="zh_CN").review_requirement)
        order.with_user(self.en_sales).action_request_review()
        review = order._review_current()
        as_zh_reader = review.with_user(self.zh_buyer).with_context(lang="zh_CN")
        self.assertIn("总额达到", as_zh_reader.reason)
        self.assertIn("或以上", as_zh_reader.reason)
        self.assertIn("total of", review.with_context(lang="en_US").reason)
        # A rule without criteria reads "every order", in each reader's language.
        self.rule.min_amount = 0.0
        other = self._large_order(self.zh_sales)
        other.with_user(self.zh_sales).action_request_review()
        self.assertEqual(other._review_current().with_context(lang="zh_CN").reason, "所有订单")
        self.assertEqual(other._review_current().with_context(lang="en_US").reason, "every order")

    def test_chatter_line_in_writers_language(self):
        chinese = self._large_order(self.zh_sales)
        chinese.with_user(self.zh_sales).action_request_review()
        self.assertIn("已申请评审。", self._notes(chinese))
        self.assertIn("总额达到", self._notes(chinese))
        self.assertNotIn("Review requested", self._notes(chinese))
        english = self._large_order(self.en_sales)
        english.with_user(self.en_sales).action_request_review()
        self.assertIn("Review requested.", self._notes(english))
        # The Chinese reviewer's decision is logged in Chinese on the English salesperson's order.
        english._review_current().filtered(lambda r: r.state == "pending").with_user(
            self.zh_buyer
        ).action_approve()
        self.assertIn("采购评审员 已批准。", self._notes(english))

    def test_notification_in_recipients_language(self):
        order = self._large_order(self.zh_sales)
        order.with_user(self.zh_sales).action_request_review()
        order._review_current().with_user(self.en_buyer).action_approve()
        todo = order.activity_ids.filtered(lambda a: a.user_id == self.zh_sales)
        self.assertEqual(todo.summary, "评审已批准：请确认订单")

    def test_ticket_messages(self):
        self.customer.lang = "zh_CN"
        order = self._create_order([(self.stocked, 3, 50.0)])
        order.action_confirm()
        picking = self._pick(order.picking_ids)
        picking.button_validate()
        goods = delivered_goods(order, picking, self.stocked, ticket_type="return", quantity=1)
        ticket = (
            self.env["fulfilment.ticket"]
            .with_user(self.en_agent)
            .create({"partner_id": self.customer.id, **goods})
        )
        ticket.action_assign()
        ticket.action_contact()
        ticket.action_create_return()
        # The English agent's internal note is in English.
        contact = ticket.message_ids.filtered(lambda m: m.subtype_id.internal and "contact" in (m.body or ""))
        self.assertIn("Customer contacted.", contact.body)
        # The customer reads the return on the portal, in Chinese.
        customer_messages = ticket.message_ids.filtered(
            lambda m: m.message_type == "comment" and not m.subtype_id.internal
        )
        self.assertEqual(len(customer_messages), 1)
        self.assertIn(f"已创建退货 {ticket.return_picking_ids.name}。", customer_messages.body)
        # A Chinese agent's internal note is in Chinese.
        other = (
            self.env["fulfilment.ticket"].with_user(self.zh_agent).create({"partner_id": self.customer.id})
        )
        other.action_assign()
        other.action_contact()
        self.assertIn("已联系客户。", self._notes(other))

    def test_automation_writes_in_companys_language(self):
        self.company.partner_id.lang = "zh_CN"
        manager = staff_user(
            self.env, "en_fulfilment_manager", "order_fulfilment.group_fulfilment_manager", lang="en_US"
        )
        order = self._large_order(self.en_sales)
        with freeze_time("2026-03-02 08:00:00"):
            order.with_user(self.en_sales).action_request_review()
        with freeze_time("2026-03-03 12:00:00"):
            # Run as the automation does: as the superuser (OdooBot).
            order._review_current()._escalate_overdue()
        self.assertIn("评审自", self._notes(order))
        todo = order.activity_ids.filtered(
            lambda a: a.user_id == manager and a.activity_type_id != self.review_type
        )
        self.assertEqual(todo.summary, "Overdue review: Purchasing Reviewer")

    def test_review_report_decision_on_one_line(self):
        order = self._large_order(self.en_sales)
        order.with_user(self.en_sales).action_request_review()
        order._review_current().with_user(self.en_buyer).action_approve()
        html = (
            self.env["ir.actions.report"]
            .with_context(lang="zh_CN")
            ._render_qweb_html("order_fulfilment.fulfilment_review_report", order.ids)[0]
            .decode()
        )
        cell = re.search(r'<td class="o_fulfilment_decision"[^>]*>(.*?)</td>', html, re.DOTALL)
        self.assertTrue(cell, "the decision column has its own class")
        self.assertIn("已批准", cell.group(1))
        self.assertRegex(html, r"\.o_fulfilment_decision\s*\{[^}]*white-space:\s*nowrap")
        # The reason is printed in the reader's language too.
        self.assertIn("总额达到", html)
