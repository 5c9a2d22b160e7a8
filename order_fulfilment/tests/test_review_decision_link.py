import re
import time
from urllib.parse import parse_qs, urlsplit

from odoo.tests import HttpCase, tagged

from .common import FulfilmentCase, JsonRpcMixin, RpcError, staff_user

PRODUCTION = "order_fulfilment.group_review_production"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestReviewDecisionLink(JsonRpcMixin, HttpCase, FulfilmentCase):
    """The Approve and Reject links of the review e-mail: one review, one user, logged in, until
    they expire or the review is decided, cancelled or no longer the user's to decide."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["fulfilment.review.rule"].search([]).active = False
        production = cls.env.ref(PRODUCTION)
        cls.env["fulfilment.review.rule"].create(
            {"name": "Discounts", "group_id": production.id, "min_discount": 10.0}
        )
        cls.reviewer = staff_user(cls.env, "of_link_reviewer", PRODUCTION, name="Pat Production")
        cls.reviewer.email = "pat@harbin-pumps.example.com"
        cls.colleague = staff_user(cls.env, "of_link_colleague", PRODUCTION, name="Paul Production")
        cls.colleague.email = "paul@harbin-pumps.example.com"
        cls.seller = staff_user(
            cls.env, "of_link_seller", "sales_team.group_sale_salesman", name="Sue Seller"
        )

    def setUp(self):
        super().setUp()
        self.order = self._create_order(
            [(self.pump, 2, 1000.0), (self.stocked, 4, 50.0)], user=self.seller, name="SO-MAIL-TOUR"
        )
        self.order.order_line.filtered(lambda line: line.product_id == self.pump).discount = 15.0
        self.order.with_user(self.seller).action_request_review()
        self.review = self.order.review_ids
        self.assertEqual(self.review.state, "pending")

    # ------------------------------------------------------------------
    def _link(self, user, decision="approve", expires=None):
        """The path of the user's link, as the e-mail gives it (or with another expiry)."""
        if expires is None:
            mail = self.env["mail.mail"].search(
                [
                    ("model", "=", "fulfilment.review"),
                    ("res_id", "=", self.review.id),
                    ("recipient_ids", "in", user.partner_id.ids),
                ]
            )
            self.assertEqual(len(mail), 1)
            url = re.search(rf'href="([^"]*/fulfilment/review/\d+/{decision}\?[^"]*)"', mail.body_html).group(
                1
            )
            url = url.replace("&amp;", "&")
        else:
            url = self.review._decision_url(user, decision, expires)
        parts = urlsplit(url)
        return f"{parts.path}?{parts.query}"

    def _open(self, path):
        response = self.url_open(path)
        self.assertEqual(response.status_code, 200)
        return response

    def _confirm(self, path, reason=None):
        """Submit the page's form, as the browser does."""
        page = self._open(path)
        parts = urlsplit(path)
        data = {key: values[0] for key, values in parse_qs(parts.query).items()}
        data["csrf_token"] = CSRF.search(page.text).group(1)
        if reason is not None:
            data["reason"] = reason
        return self.url_open(parts.path, data=data)

    def _refusal(self, response):
        found = re.search(r'data-refusal="([a-z_]+)"', response.text)
        return found and found.group(1)

    # ------------------------------------------------------------------
    def test_valid_link_shows_the_facts_and_approves(self):
        path = self._link(self.reviewer)
        self.authenticate("of_link_reviewer", "of_link_reviewer")
        page = self._open(path)
        self.assertFalse(self._refusal(page))
        for fact in ("SO-MAIL-TOUR", "Harbin Water Works", "Centrifugal pump", "Confirm the approval"):
            self.assertIn(fact, page.text)
        self.assertEqual(self.review.state, "pending", "opening the link decides nothing")
        done = self._confirm(path)
        self.assertEqual(self._refusal(done), "decided")
        self.assertIn("You approved", done.text)
        self.assertEqual((self.review.state, self.review.reviewer_id), ("approved", self.reviewer))
        self.assertEqual(self.order.review_state, "approved")

    def test_link_reused_after_the_decision(self):
        mine, theirs = self._link(self.reviewer), self._link(self.colleague)
        self.authenticate("of_link_colleague", "of_link_colleague")
        self._confirm(theirs)
        self.assertEqual(self.review.reviewer_id, self.colleague)
        self.authenticate("of_link_reviewer", "of_link_reviewer")
        page = self._open(mine)
        self.assertEqual(self._refusal(page), "decided")
        self.assertIn("Paul Production already approved", page.text)
        self.assertNotIn("csrf_token", page.text.split("o_fulfilment_review_decision", 1)[1])
        reject = self._link(self.reviewer, "reject")
        self.assertEqual(self._refusal(self._open(reject)), "decided")
        self.assertEqual(self.review.reviewer_id, self.colleague)

    def test_sign_off_of_two_approvers(self):
        """A rule that needs two approvers: the first one's link says what is left, the second
        one's page still asks, and the sign-off is approved by both."""
        self.review.rule_id.min_approvers = 2
        order = self._create_order([(self.pump, 1, 1000.0)], user=self.seller, name="SO-MAIL-TWO")
        order.order_line.discount = 20.0
        order.with_user(self.seller).action_request_review()
        review = self.review = order.review_ids
        self.assertEqual((review.state, review.min_approvers), ("pending", 2))
        mine, theirs = self._link(self.reviewer), self._link(self.colleague)
        self.authenticate("of_link_reviewer", "of_link_reviewer")
        first = self._confirm(mine)
        self.assertEqual(self._refusal(first), "decided")
        self.assertIn("You approved", first.text)
        self.assertIn("1 more approver", first.text)
        self.assertEqual(review.state, "pending")
        self.authenticate("of_link_colleague", "of_link_colleague")
        self.assertFalse(self._refusal(self._open(theirs)), "the second approver is still asked")
        self._confirm(theirs)
        self.assertEqual(review.state, "approved")
        self.assertEqual(review.approver_ids, self.reviewer | self.colleague)

    def test_expired_link(self):
        path = self._link(self.reviewer, expires=int(time.time()) - 60)
        self.authenticate("of_link_reviewer", "of_link_reviewer")
        page = self._open(path)
        self.assertEqual(self._refusal(page), "expired")
        self.assertIn("expired", page.text)
        self.assertEqual(self.review.state, "pending")

    def test_link_of_another_user(self):
        path = self._link(self.reviewer)
        self.authenticate("of_link_colleague", "of_link_colleague")
        page = self._open(path)
        self.assertEqual(self._refusal(page), "other_user")
        self.assertIn("Pat Production", page.text)
        self.assertNotIn('name="csrf_token"', page.text, "no form to confirm")
        # Posting the form anyway (with the session's own form token) decides nothing.
        csrf = CSRF.search(self._open(self._link(self.colleague)).text).group(1)
        parts = urlsplit(path)
        data = {key: values[0] for key, values in parse_qs(parts.query).items()}
        posted = self.url_open(parts.path, data={**data, "csrf_token": csrf})
        self.assertEqual(self._refusal(posted), "other_user")
        self.assertEqual(self.review.state, "pending")

    def test_tampered_link(self):
        path = self._link(self.reviewer)
        self.authenticate("of_link_reviewer", "of_link_reviewer")
        for bad in (
            re.sub(r"expires=\d+", "expires=9999999999", path),
            re.sub(r"token=(\w)", lambda m: "token=" + ("a" if m.group(1) != "a" else "b"), path),
            path.replace(f"/review/{self.review.id}/", f"/review/{self.review.id + 1000}/"),
        ):
            with self.subTest(link=bad):
                self.assertEqual(self._refusal(self._open(bad)), "invalid")
        self.assertEqual(self.review.state, "pending")

    def test_logged_out_goes_to_login_and_back(self):
        path = self._link(self.reviewer)
        response = self.url_open(path)
        final = urlsplit(response.url)
        self.assertEqual(final.path, "/web/login")
        self.assertEqual(parse_qs(final.query)["redirect"][0], path)
        self.assertEqual(self.review.state, "pending")

    def test_reject_needs_a_reason(self):
        path = self._link(self.reviewer, "reject")
        self.authenticate("of_link_reviewer", "of_link_reviewer")
        page = self._open(path)
        self.assertIn('name="reason"', page.text)
        refused = self._confirm(path, reason="  ")
        self.assertIn("o_fulfilment_review_error", refused.text)
        self.assertIn("Write why you reject", refused.text)
        self.assertEqual(self.review.state, "pending")
        done = self._confirm(path, reason="We cannot make it by then")
        self.assertIn("You rejected", done.text)
        self.assertEqual((self.review.state, self.review.comment), ("rejected", "We cannot make it by then"))

    def test_cancelled_or_reassigned_review(self):
        path = self._link(self.reviewer)
        self.authenticate("of_link_reviewer", "of_link_reviewer")
        # No longer in the department: the link is no longer theirs to use.
        self.env.ref(PRODUCTION).users -= self.reviewer
        page = self._open(path)
        self.assertEqual(self._refusal(page), "not_yours")
        self.assertIn("Only members of", page.text)
        self.env.ref(PRODUCTION).users |= self.reviewer
        self.assertFalse(self._refusal(self._open(path)))
        # The quotation changes so that the rule no longer applies: the review is dropped.
        pump_line = self.order.order_line.filtered(lambda line: line.product_id == self.pump)
        pump_line.with_user(self.seller).discount = 0.0
        self.assertEqual(self.review.state, "cancelled")
        page = self._open(path)
        self.assertEqual(self._refusal(page), "cancelled")
        self.assertIn("was cancelled", page.text)

    def test_self_review_ban_holds_from_the_link(self):
        """A reviewer who is the quotation's salesperson gets no e-mail; a link made for them
        anyway is refused by the page, with the reason."""
        order = self._create_order([(self.pump, 1, 1000.0)], user=self.reviewer)
        order.order_line.discount = 20.0
        order.action_request_review()
        review = order.review_ids
        self.assertFalse(
            self.env["mail.mail"].search(
                [
                    ("res_id", "=", review.id),
                    ("model", "=", "fulfilment.review"),
                    ("recipient_ids", "in", self.reviewer.partner_id.ids),
                ]
            )
        )
        path = urlsplit(review._decision_url(self.reviewer, "approve", int(time.time()) + 600))
        self.authenticate("of_link_reviewer", "of_link_reviewer")
        page = self._open(f"{path.path}?{path.query}")
        self.assertEqual(self._refusal(page), "not_yours")
        self.assertIn("salesperson", page.text)
        self.assertEqual(review.state, "pending")

    def test_rpc_cannot_forge_reminders_or_links(self):
        self.authenticate("of_link_reviewer", "of_link_reviewer")

        with self.assertRaisesRegex(RpcError, "AccessError"):
            self._call(
                "fulfilment.review", "write", self.review.ids, {"reminder_count": 0, "reminder_next": False}
            )
        for private in ("_decision_token", "_decide_from_link", "_cron_remind"):
            with self.subTest(method=private), self.assertRaises(RpcError):
                self._call("fulfilment.review", private, self.review.ids, self.reviewer.id, 0)
        self.assertEqual(self.review.state, "pending")

    def test_tour_approve_from_the_link_page(self):
        path = self._link(self.reviewer)
        self.start_tour(path, "order_fulfilment_review_decision", login="of_link_reviewer")
        self.assertEqual((self.review.state, self.review.reviewer_id), ("approved", self.reviewer))
