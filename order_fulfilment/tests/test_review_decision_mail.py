import re
from datetime import datetime

from freezegun import freeze_time

from odoo import tools
from odoo.tests import tagged

from .common import FulfilmentCase, staff_user

PRODUCTION = "order_fulfilment.group_review_production"


@tagged("post_install", "-at_install")
class TestReviewDecisionMail(FulfilmentCase):
    """When a review opens, each reviewer with an e-mail address gets the facts and the Approve
    and Reject links, in their language; reviewers without an address get their to-do only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["fulfilment.review.rule"].search([]).active = False
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["order_fulfilment"], ["zh_CN"], overwrite=True)
        cls.env.invalidate_all()
        cls.env.registry.clear_cache()
        cls.company.partner_id.email = "service@harbin-pumps.example.com"
        # Only the reviewers of this test are in the production group.
        production = cls.env.ref(PRODUCTION)
        production.users = False
        cls.zh_reviewer = staff_user(cls.env, "of_mail_zh", PRODUCTION, name="Wang Production", lang="zh_CN")
        cls.zh_reviewer.email = "wang@harbin-pumps.example.com"
        cls.en_reviewer = staff_user(cls.env, "of_mail_en", PRODUCTION, name="Pat Production")
        cls.en_reviewer.email = "pat@harbin-pumps.example.com"
        cls.no_address = staff_user(cls.env, "of_mail_none", PRODUCTION, name="Nora NoMail")
        cls.rule = cls.env["fulfilment.review.rule"].create(
            {"name": "Discounts", "group_id": production.id, "min_discount": 10.0}
        )

    def _order(self):
        order = self._create_order(
            [(self.pump, 6, 1000.0), (self.stocked, 10, 50.0)],
            name="SO-MAIL-1",
            commitment_date=datetime(2026, 4, 20, 2, 0),
        )
        order.order_line.filtered(lambda line: line.product_id == self.pump).discount = 15.0
        return order

    def _mails(self, review):
        return self.env["mail.mail"].search([("model", "=", "fulfilment.review"), ("res_id", "=", review.id)])

    def test_mail_in_chinese_for_a_chinese_reviewer(self):
        order = self._order()
        with freeze_time("2026-04-01 02:00:00"):
            order.with_user(self.salesman).action_request_review()
        review = order.review_ids
        mails = self._mails(review)
        self.assertEqual(
            mails.recipient_ids,
            (self.zh_reviewer | self.en_reviewer).partner_id,
            "one each, none without address",
        )
        zh_mail = mails.filtered(lambda m: m.recipient_ids == self.zh_reviewer.partner_id)
        self.assertEqual(len(zh_mail), 1)
        self.assertIn("SO-MAIL-1", zh_mail.subject)
        self.assertIn("待审批", zh_mail.subject)
        body = zh_mail.body_html
        self.assertIn("Wang Production", body)
        self.assertIn("生产评审员", body, "the department, in Chinese")
        self.assertIn("Harbin Water Works", body, "the customer")
        self.assertIn("客户", body)
        total = tools.format_amount(
            self.env(context={"lang": "zh_CN"}), order.amount_total, order.currency_id
        )
        self.assertIn(total, body, "the total")
        self.assertIn("要求交期", body)
        self.assertIn("2026", body)
        self.assertIn("低于销售价格", body, "why, in Chinese")
        self.assertIn("Centrifugal pump", body, "the line the rule looked at")
        self.assertNotIn("Flange kit", body, "not the other lines")
        self.assertIn("批准", body)
        self.assertIn("驳回", body)
        links = re.findall(r'href="([^"]*/fulfilment/review/[^"]*)"', body)
        self.assertEqual(len(links), 2)
        self.assertIn(f"/fulfilment/review/{review.id}/approve?", links[0])
        self.assertIn(f"/fulfilment/review/{review.id}/reject?", links[1])
        self.assertIn(f"user={self.zh_reviewer.id}", links[0].replace("&amp;", "&"))
        self.assertIn("harbin-pumps.example.com", zh_mail.email_from, "sent from the company's address")
        self.assertIn(self.salesman.name, zh_mail.email_from, "in the name of who asked")

        en_mail = mails - zh_mail
        self.assertIn("Approve", en_mail.body_html)
        self.assertIn("Requested date", en_mail.body_html)
        self.assertIn("below the sales price", en_mail.body_html)
        self.assertNotIn("待审批", en_mail.subject)
        self.assertIn(f"user={self.en_reviewer.id}", en_mail.body_html.replace("&amp;", "&"))

    def test_later_steps_mail_when_they_open(self):
        technical = self.env.ref("order_fulfilment.group_review_technical")
        self.env["fulfilment.review.rule"].create(
            {"name": "Technical", "group_id": technical.id, "sequence": 20}
        )
        engineer = staff_user(self.env, "of_mail_engineer", "order_fulfilment.group_review_technical")
        engineer.email = "tess@harbin-pumps.example.com"
        order = self._order()
        order.with_user(self.salesman).action_request_review()
        later = order.review_ids.filtered(lambda r: r.group_id == technical)
        self.assertEqual(later.state, "waiting")
        self.assertFalse(self._mails(later), "no mail before the step opens")
        order.review_ids.filtered(lambda r: r.state == "pending").with_user(self.en_reviewer).action_approve()
        self.assertEqual(later.state, "pending")
        self.assertIn(engineer.partner_id, self._mails(later).recipient_ids)

    def test_no_mail_for_reviewers_who_may_not_sign(self):
        """The reviewer who is also the salesperson gets no link (the self-review ban)."""
        order = self._order()
        order.user_id = self.en_reviewer
        order.action_request_review()
        self.assertEqual(self._mails(order.review_ids).recipient_ids, self.zh_reviewer.partner_id)

    def test_forwarded_colleague_gets_the_mail(self):
        """Forwarding sends the colleague the same e-mail as the reviewers, in their language,
        with links of their own; a colleague without an address gets their to-do only."""
        engineer = staff_user(
            self.env,
            "of_mail_fwd_engineer",
            "order_fulfilment.group_review_technical",
            name="Li Technical",
            lang="zh_CN",
        )
        engineer.email = "li@harbin-pumps.example.com"
        no_address = staff_user(self.env, "of_mail_fwd_none", "base.group_user", name="Nick NoMail")
        order = self._order()
        order.with_user(self.salesman).action_request_review()
        review = order.review_ids
        before = self._mails(review)
        review.with_user(self.en_reviewer).action_forward(engineer.id, note="Check the impeller")
        review.with_user(self.en_reviewer).action_forward(no_address.id)
        mail = self._mails(review) - before
        self.assertEqual(
            mail.recipient_ids, engineer.partner_id, "one mail, to the colleague with an address"
        )
        self.assertIn("待审批", mail.subject, "in the colleague's language")
        self.assertIn("Li Technical", mail.body_html)
        body = mail.body_html.replace("&amp;", "&")
        self.assertIn(f"/fulfilment/review/{review.id}/approve?", body)
        self.assertIn(f"/fulfilment/review/{review.id}/reject?", body)
        self.assertIn(f"user={engineer.id}", body)
        self.assertEqual(
            review._decision_link_refusal(
                engineer, *re.search(r"user=(\d+)&expires=(\d+)&token=(\w+)", body).groups()
            ),
            None,
            "the colleague's link lets them decide",
        )
