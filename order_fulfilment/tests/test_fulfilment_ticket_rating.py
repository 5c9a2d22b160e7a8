import re

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.order_fulfilment.models.fulfilment_ticket_rating import satisfaction_from_rating

from .common import JsonRpcMixin, RpcError, staff_user

RATE_LINK = re.compile(r"/rate/([0-9a-f]{32})/5")


@tagged("post_install", "-at_install")
class TestTicketRating(JsonRpcMixin, HttpCase):
    """Two customers rate their closed tickets on the portal; neither reads nor rates the other's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.agent = staff_user(
            cls.env, "of_rating_agent", "order_fulfilment.group_aftersales_user", name="Alice Agent"
        )
        cls.customers, cls.tickets = {}, {}
        for key, company_name in (("a", "Harbin Water Works"), ("b", "Dalian Pipe Co")):
            company = Partner.create({"name": company_name, "is_company": True})
            user = new_test_user(
                cls.env,
                login=f"of_rating_{key}",
                groups="base.group_portal",
                name=f"Buyer {key.upper()}",
                email=f"buyer.{key}@example.com",
            )
            user.partner_id.parent_id = company
            cls.customers[key] = user
            ticket = cls.env["fulfilment.ticket"].create(
                {
                    "partner_id": user.partner_id.id,
                    "ticket_type": "complaint",
                    "description": f"Complaint of {company_name}",
                }
            )
            ticket.message_subscribe(partner_ids=user.partner_id.ids)
            as_agent = ticket.with_user(cls.agent)
            as_agent.action_assign()
            as_agent.action_contact()
            as_agent.write({"resolution": "replacement"})
            as_agent.action_resolve()
            as_agent.action_close()
            cls.tickets[key] = ticket

    def _token(self, ticket):
        """The rating link of the closing e-mail."""
        closing = ticket.message_ids.filtered(lambda m: RATE_LINK.search(m.body or ""))
        self.assertEqual(len(closing), 1)
        return RATE_LINK.search(closing.body).group(1)

    def test_mapping(self):
        self.assertEqual([satisfaction_from_rating(v) for v in (1, 3, 5)], ["1", "3", "5"])
        self.assertEqual([satisfaction_from_rating(v) for v in (1.4, 2, 4.5)], ["1", "2", "5"])
        self.assertIsNone(satisfaction_from_rating(0))

    def test_rating_through_the_portal_link(self):
        ticket = self.tickets["a"]
        token = self._token(ticket)
        self.assertFalse(ticket.satisfaction)
        self.authenticate("of_rating_a", "of_rating_a")
        page = self.url_open(f"/my/tickets/{ticket.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"/rate/{token}/5", page.text, "the portal page offers the same rating")
        form = self.url_open(f"/rate/{token}/5")
        self.assertEqual(form.status_code, 200)
        self.assertIn(f"/rate/{token}/submit_feedback", form.text)
        response = self.url_open(
            f"/rate/{token}/submit_feedback",
            data={"csrf_token": http.Request.csrf_token(self), "rate": 5, "feedback": "Fast and friendly"},
        )
        self.assertEqual(response.status_code, 200)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.satisfaction, "5")
        rating = ticket.rating_ids
        self.assertEqual((rating.rating, rating.feedback, rating.consumed), (5.0, "Fast and friendly", True))
        self.assertEqual(rating.rated_partner_id, self.agent.partner_id)
        page = self.url_open(f"/my/tickets/{ticket.id}")
        self.assertNotIn(f"/rate/{token}/5", page.text, "rated: no request any more")
        self.assertIn("o_fulfilment_ticket_rating", page.text)
        # Without logging in, the e-mail's link works as well (dissatisfied this time).
        self.authenticate(None, None)
        token_b = self._token(self.tickets["b"])
        self.url_open(
            f"/rate/{token_b}/submit_feedback",
            data={"csrf_token": http.Request.csrf_token(self), "rate": 1, "feedback": "Too slow"},
        )
        self.assertEqual(self.tickets["b"].satisfaction, "1")

    def test_customer_cannot_read_or_rate_another_customers_ticket(self):
        ticket_a = self.tickets["a"]
        token_a = self._token(ticket_a)
        self.authenticate("of_rating_b", "of_rating_b")
        page = self.url_open(f"/my/tickets/{ticket_a.id}", allow_redirects=False)
        self.assertIn(page.status_code, (302, 303))
        self.assertNotIn(token_a, page.text)
        self.assertNotIn(token_a, self.url_open("/my/tickets").text)
        # The rating page of A's link refuses B, and so does submitting it.
        page = self.url_open(f"/rate/{token_a}/5")
        self.assertNotIn("submit_feedback", page.text)
        response = self.url_open(
            f"/rate/{token_a}/submit_feedback",
            data={"csrf_token": http.Request.csrf_token(self), "rate": 1, "feedback": "Bad"},
        )
        self.assertEqual(response.status_code, 200)
        ticket_a.invalidate_recordset()
        self.assertFalse(ticket_a.satisfaction)
        self.assertFalse(ticket_a.rating_ids.consumed)
        # Nor through RPC: the ticket, its ratings, rating_apply.
        for model, method, args in (
            ("fulfilment.ticket", "read", [[ticket_a.id], ["name", "satisfaction"]]),
            ("rating.rating", "search_read", [[("res_id", "=", ticket_a.id)], ["access_token"]]),
            ("fulfilment.ticket", "rating_apply", [[ticket_a.id], 1]),
        ):
            with self.subTest(method=method), self.assertRaises(RpcError), mute_logger("odoo.http"):
                self._call(model, method, *args)
        ticket_a.invalidate_recordset()
        self.assertFalse(ticket_a.satisfaction)

    def test_analysis_satisfaction_and_complaints(self):
        Ticket = self.env["fulfilment.ticket"]
        self.tickets["a"].rating_apply(5, token=self._token(self.tickets["a"]))
        self.tickets["b"].rating_apply(3, token=self._token(self.tickets["b"]))
        inquiry = Ticket.create(
            {
                "partner_id": self.customers["a"].partner_id.id,
                "ticket_type": "inquiry",
                "description": "Manual?",
            }
        )
        as_agent = inquiry.with_user(self.agent)
        as_agent.action_assign()
        as_agent.action_contact()
        as_agent.write({"resolution": "no_action"})
        as_agent.action_resolve()
        as_agent.action_close(satisfaction=4)
        tickets = Ticket.browse([self.tickets["a"].id, self.tickets["b"].id, inquiry.id])
        Analysis = self.env["fulfilment.ticket.analysis"]
        domain = [("ticket_id", "in", tickets.ids)]
        for groupby in (["date:month"], ["ticket_type"], ["user_id"], ["partner_id"]):
            groups = Analysis.read_group(domain, ["satisfaction_score:avg", "complaint_count:sum"], groupby)
            with self.subTest(groupby=groupby):
                total = sum(group["complaint_count"] for group in groups)
                self.assertEqual(total, 2)
        by_type = {
            group["ticket_type"]: group
            for group in Analysis.read_group(
                domain, ["satisfaction_score:avg", "complaint_count:sum"], ["ticket_type"]
            )
        }
        self.assertEqual(by_type["complaint"]["satisfaction_score"], 4.0)
        self.assertEqual(by_type["complaint"]["complaint_count"], 2)
        self.assertEqual(by_type["inquiry"]["satisfaction_score"], 4.0)
        self.assertEqual(by_type["inquiry"]["complaint_count"], 0)
        by_customer = {
            group["partner_id"][0]: group
            for group in Analysis.read_group(domain, ["satisfaction_score:avg"], ["partner_id"])
        }
        self.assertEqual(
            by_customer[self.customers["a"].partner_id.commercial_partner_id.id]["satisfaction_score"], 4.5
        )
        by_agent = Analysis.read_group(domain, ["satisfaction_score:avg"], ["user_id"])
        self.assertEqual(by_agent[0]["user_id"][0], self.agent.id)
        self.assertEqual(round(by_agent[0]["satisfaction_score"], 2), 4.0)
