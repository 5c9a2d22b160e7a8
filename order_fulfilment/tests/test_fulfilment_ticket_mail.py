from datetime import timedelta
from email.utils import make_msgid

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import FulfilmentCase, staff_user

INCOMING = """Return-Path: {return_path}
To: {to}
Received: by mail1.example.net (Postfix, from userid 10002)
    id 5DF9ABFB2A; Mon, 02 Mar 2026 08:00:00 +0800 (CST)
From: {email_from}
Subject: {subject}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit
Date: Mon, 02 Mar 2026 08:00:00 +0800
Message-ID: {msg_id}
{extra}
{body}
"""

ALIAS = "service@fulfilment-test.example.com"


class TicketMailCase(FulfilmentCase, MockEmail):
    """A company whose after-sales address is service@..., set by an admin in the settings, and an
    after-sales agent without an e-mail address."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The gateway as it runs in production: no test context (tracking, logging) in the way.
        cls.env = cls.env(context={"lang": "en_US"})
        domain = cls.env["mail.alias.domain"].create(
            {
                "name": "fulfilment-test.example.com",
                "bounce_alias": "bounce",
                "catchall_alias": "catchall",
                "default_from": "notifications",
            }
        )
        cls.company.write({"alias_domain_id": domain.id, "email": "info@fulfilment-test.example.com"})
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["order_fulfilment"], ["zh_CN"], overwrite=True)
        cls.company.partner_id.lang = "en_US"
        cls.admin = staff_user(
            cls.env, "of_mail_admin", "base.group_system,base.group_user", name="Ada Admin"
        )
        settings = cls.env["res.config.settings"].with_user(cls.admin).create({})
        settings.fulfilment_aftersales_alias_name = "service"
        settings.execute()
        cls.agent = staff_user(
            cls.env, "of_mail_agent", "order_fulfilment.group_aftersales_user", name="Alice Agent"
        )
        cls.customer.lang = "en_US"

    def _receive(
        self,
        subject,
        email_from='"Bo Buyer" <buyer@example.com>',
        body="The pump leaks.",
        extra="",
        to=ALIAS,
        msg_id=None,
    ):
        """Process an incoming e-mail as the mail gateway does (as superuser); the id it routed to."""
        mail = self.format(
            INCOMING,
            to=to,
            subject=subject,
            email_from=email_from,
            extra=extra,
            msg_id=msg_id or make_msgid(domain="example.net"),
            body=body,
        )
        return self.env["mail.thread"].sudo().message_process(None, mail)

    def _tickets(self):
        return self.env["fulfilment.ticket"].search([], order="id")


@tagged("post_install", "-at_install")
class TestTicketMailGateway(TicketMailCase):
    def test_alias_from_settings(self):
        alias = self.company.fulfilment_aftersales_alias_id
        self.assertEqual(alias.alias_full_name, ALIAS)
        self.assertEqual(alias.alias_model_id.model, "fulfilment.ticket")
        settings = self.env["res.config.settings"].with_user(self.admin).create({})
        self.assertEqual(settings.fulfilment_aftersales_alias_name, "service")
        settings.fulfilment_aftersales_alias_name = "after-sales"
        settings.execute()
        self.assertEqual(alias.alias_full_name, "after-sales@fulfilment-test.example.com")
        self.assertEqual(self.company.fulfilment_aftersales_alias_id, alias)

    def test_new_email_opens_ticket_and_acknowledges(self):
        before = self._tickets()
        with self.mock_mail_gateway():
            ticket_id = self._receive("Pump leaking after installation")
        ticket = self._tickets() - before
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.id, ticket_id)
        self.assertEqual(ticket.partner_id, self.customer, "the sender's contact, matched by address")
        self.assertEqual(ticket.company_id, self.company)
        self.assertEqual(ticket.ticket_type, "inquiry")
        self.assertEqual(ticket.state, "new")
        self.assertIn("Pump leaking after installation", ticket.description)
        self.assertIn("The pump leaks.", ticket.description)
        self.assertTrue(ticket.name.startswith("AS/"))
        self.assertTrue(ticket.assign_deadline and ticket.contact_deadline)
        incoming = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(len(incoming), 1)
        self.assertIn("The pump leaks.", incoming.body)
        self.assertEqual(incoming.author_id, self.customer)
        # The acknowledgement: ticket number, assign and contact deadlines, portal link, reply-to.
        sent = [mail for mail in self._mails if "buyer@example.com" in " ".join(mail["email_to"])]
        self.assertEqual(len(sent), 1, sent)
        mail = sent[0]
        self.assertIn(ticket.name, mail["subject"])
        self.assertIn("we received your request", mail["subject"])
        values = ticket._fulfilment_mail_values()
        for text in (
            ticket.name,
            values["assign_deadline"],
            values["contact_deadline"],
            f"/my/tickets/{ticket.id}",
        ):
            self.assertIn(text, mail["body"])
        self.assertIn(ALIAS, mail["reply_to"])
        self.assertIn("info@fulfilment-test.example.com", mail["email_from"])

    def test_reply_threads_into_ticket(self):
        with self.mock_mail_gateway():
            ticket_id = self._receive("Pump leaking")
        ticket = self.env["fulfilment.ticket"].browse(ticket_id)
        acknowledgement = ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertEqual(len(acknowledgement), 1)
        before = self._tickets()
        reply_id = self._receive(
            "Re: Pump leaking",
            body="Here is a photo of the seal.",
            extra=f"In-Reply-To: {acknowledgement.message_id}\nReferences: {acknowledgement.message_id}",
        )
        self.assertEqual(reply_id, ticket.id)
        self.assertEqual(self._tickets(), before, "a reply opens no new ticket")
        self.assertTrue(ticket.message_ids.filtered(lambda m: "photo of the seal" in (m.body or "")))

    def test_unknown_sender_becomes_contact(self):
        self.company.partner_id.lang = "zh_CN"
        ticket = self.env["fulfilment.ticket"].browse(
            self._receive("水泵漏水", email_from="李雷 <li.lei@new-customer.cn>")
        )
        partner = ticket.partner_id
        self.assertEqual(partner.email, "li.lei@new-customer.cn")
        self.assertEqual(partner.name, "李雷")
        self.assertEqual(partner.lang, "zh_CN", "a new contact speaks the company's language")
        # Shared, as the contacts Odoo's mail gateway and CRM create from e-mail.
        self.assertFalse(partner.company_id)
        # The next e-mail of that address goes to the same contact.
        other = self.env["fulfilment.ticket"].browse(
            self._receive("另一个问题", email_from="li.lei@new-customer.cn")
        )
        self.assertEqual(other.partner_id, partner)
        self.assertNotEqual(other, ticket)
        # The after-sales address of another company: the same contact, a ticket of that company.
        dalian = self.env["res.company"].create(
            {"name": "Dalian Pumps", "alias_domain_id": self.company.alias_domain_id.id}
        )
        dalian._fulfilment_set_aftersales_alias("service-dalian")
        elsewhere = self.env["fulfilment.ticket"].browse(
            self._receive(
                "水泵噪音",
                email_from="li.lei@new-customer.cn",
                to="service-dalian@fulfilment-test.example.com",
            )
        )
        self.assertEqual(elsewhere.company_id, dalian)
        self.assertEqual(elsewhere.partner_id, partner)

    def test_reference_in_subject_links_document(self):
        order = self._create_order([(self.stocked, 2, 50.0)])
        order.action_confirm()
        picking = order.picking_ids
        other_customer = self.env["res.partner"].create(
            {"name": "Dalian Pipe Co", "email": "pipes@example.org"}
        )
        other_order = self._create_order([(self.stocked, 1, 50.0)], partner=other_customer)
        other_order.action_confirm()
        Ticket = self.env["fulfilment.ticket"]

        ticket = Ticket.browse(self._receive(f"Order {order.name}: flange cracked"))
        self.assertEqual(ticket.order_id, order)
        self.assertFalse(ticket.picking_id)
        ticket = Ticket.browse(self._receive(f"关于发货单{picking.name}的缺件"))
        self.assertEqual(ticket.picking_id, picking)
        self.assertEqual(ticket.order_id, order)
        # Another customer's order is not linked.
        ticket = Ticket.browse(self._receive(f"About {other_order.name}"))
        self.assertFalse(ticket.order_id)
        self.assertEqual(ticket.partner_id, self.customer)

    def test_bounce_opens_no_ticket(self):
        before = self._tickets()
        self._receive(
            "Undelivered Mail Returned to Sender",
            email_from="MAILER-DAEMON <mailer-daemon@example.com>",
            body="Your message could not be delivered.",
        )
        self._receive(
            "Delivery Status Notification (Failure)",
            email_from="postmaster@example.com",
            to="bounce@fulfilment-test.example.com",
        )
        self.assertEqual(self._tickets(), before)

    def test_auto_reply_opens_no_ticket(self):
        before = self._tickets()
        for header in ("Auto-Submitted: auto-replied", "X-Autoreply: yes", "Precedence: bulk"):
            self._receive("Out of office", extra=header, body="I am away until Monday.")
        self.assertEqual(self._tickets(), before)
        # "Auto-Submitted: no" is a person writing.
        self._receive("Pump leaking", extra="Auto-Submitted: no")
        self.assertEqual(len(self._tickets() - before), 1)


@tagged("post_install", "-at_install")
class TestTicketCustomerMails(TicketMailCase):
    """The customer is told, in their language, when the ticket is assigned, resolved and closed."""

    def _handle(self, ticket):
        as_agent = ticket.with_user(self.agent)
        as_agent.action_assign()
        as_agent.action_contact()
        as_agent.write({"resolution": "replacement", "resolution_note": "A new pump ships tomorrow."})
        as_agent.action_resolve()
        as_agent.action_close()

    def test_messages_in_the_customer_language(self):
        chinese = self.env["res.partner"].create(
            {"name": "哈尔滨水务", "email": "cai@harbin-water.cn", "lang": "zh_CN"}
        )
        english = self.env["res.partner"].create({"name": "Perth Water", "email": "ops@perth-water.au"})
        Ticket = self.env["fulfilment.ticket"]
        tickets = Ticket.create(
            [
                {"partner_id": partner.id, "ticket_type": "complaint", "description": "Leak"}
                for partner in (chinese, english)
            ]
        )
        with self.mock_mail_gateway():
            for ticket in tickets:
                self._handle(ticket)
        expected = {
            "cai@harbin-water.cn": ("专员", "已解决", "满意", "换货"),
            "ops@perth-water.au": ("now handles your request", "is resolved", "How satisfied", "Replacement"),
        }
        for ticket, (address, texts) in zip(tickets, expected.items(), strict=True):
            sent = [mail for mail in self._mails if address in " ".join(mail["email_to"])]
            self.assertEqual(len(sent), 3, f"assigned, resolved and closed for {address}")
            bodies = " ".join(mail["body"] for mail in sent)
            for text in texts:
                self.assertIn(text, bodies)
            self.assertIn(f"/my/tickets/{ticket.id}?access_token=", bodies)
            self.assertIn("Alice Agent", bodies)
            self.assertTrue(all(ticket.name in mail["subject"] for mail in sent))
            # The agent has no address: the mails leave from the company's.
            self.assertTrue(all("info@fulfilment-test.example.com" in mail["email_from"] for mail in sent))
            # The customer reads them on the portal too (messages, not internal notes).
            customer_messages = ticket.message_ids.filtered(
                lambda m: m.message_type == "auto_comment" and not m.subtype_id.internal
            )
            self.assertEqual(len(customer_messages), 3)
        chinese_subjects = [
            mail["subject"] for mail in self._mails if "cai@harbin-water.cn" in " ".join(mail["email_to"])
        ]
        self.assertTrue(all("您" in subject for subject in chinese_subjects), chinese_subjects)
        self.assertNotIn(
            "now handles",
            " ".join(m["body"] for m in self._mails if "harbin-water" in " ".join(m["email_to"])),
        )

    def test_acknowledgement_in_the_customer_language(self):
        self.customer.lang = "zh_CN"
        with self.mock_mail_gateway():
            ticket = self.env["fulfilment.ticket"].browse(self._receive("水泵漏水"))
        sent = [mail for mail in self._mails if "buyer@example.com" in " ".join(mail["email_to"])]
        self.assertEqual(len(sent), 1)
        self.assertIn("我们已收到您的请求", sent[0]["subject"])
        self.assertIn(ticket.name, sent[0]["body"])
        self.assertIn("联系您", sent[0]["body"])

    def test_no_mail_without_customer_address(self):
        partner = self.env["res.partner"].create({"name": "Walk-in customer"})
        ticket = self.env["fulfilment.ticket"].create({"partner_id": partner.id, "description": "Leak"})
        with self.mock_mail_gateway():
            self._handle(ticket)
        self.assertEqual(ticket.state, "closed")
        self.assertFalse(self._new_mails.filtered(lambda mail: partner in mail.recipient_ids))
        self.assertFalse(ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment"))


@tagged("post_install", "-at_install")
class TestTicketCustomerAnswer(HttpCase, TicketMailCase):
    """A ticket waiting for the customer runs again when the customer answers, by e-mail or on
    the portal: its clock restarts and its pending deadlines move by the time waited. The agents'
    messages, and e-mails of strangers, leave it waiting."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.fulfilment_sla_use_calendar = False
        cls.portal_user = new_test_user(
            cls.env,
            login="of_answer_portal",
            groups="base.group_portal",
            name="Bo Buyer",
            email="bo.buyer@example.com",
        )

    def _waiting_ticket(self, email_from='"Bo Buyer" <buyer@example.com>'):
        """A ticket opened by e-mail, assigned, waiting for the customer for two hours now."""
        Ticket = self.env["fulfilment.ticket"]
        with self.mock_mail_gateway():
            ticket = Ticket.browse(self._receive("Pump leaking", email_from=email_from))
            ticket.with_user(self.agent).action_assign()
            ticket.with_user(self.agent).action_wait_customer()
        self.assertEqual(ticket.state, "waiting")
        ticket.sudo().write({"sla_paused_since": ticket.sla_paused_since - timedelta(hours=2)})
        return ticket, ticket.contact_deadline

    def _reply(self, ticket, email_from, body="Here is a photo of the seal.", extra=""):
        acknowledgement = ticket.message_ids.filtered(lambda m: m.message_type == "auto_comment")[-1:]
        references = f"In-Reply-To: {acknowledgement.message_id}\nReferences: {acknowledgement.message_id}"
        with self.mock_mail_gateway():
            return self._receive(
                "Re: Pump leaking",
                email_from=email_from,
                body=body,
                extra="\n".join(filter(None, [references, extra])),
            )

    def _assert_resumed(self, ticket, contact_deadline):
        ticket.invalidate_recordset()
        self.assertEqual(ticket.state, "assigned", "back to the state it waited from")
        self.assertFalse(ticket.sla_paused_since)
        self.assertAlmostEqual(ticket.sla_paused_minutes, 120, delta=1)
        moved = (ticket.contact_deadline - contact_deadline).total_seconds()
        self.assertAlmostEqual(moved, 7200, delta=90, msg="the contact deadline moved by the time waited")
        self.assertTrue(ticket.message_ids.filtered(lambda m: "The customer answered" in (m.body or "")))

    def test_customer_email_resumes(self):
        ticket, contact_deadline = self._waiting_ticket()
        # The agent's message, and an e-mail of someone who is not the customer: still waiting.
        ticket.with_user(self.agent).message_post(
            body="Could you send a photo of the seal?",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertEqual(self._reply(ticket, "installer@pump-service.example.org"), ticket.id)
        # The customer's out-of-office reply threads into the ticket but is no answer.
        self.assertEqual(
            self._reply(
                ticket,
                '"Bo Buyer" <buyer@example.com>',
                body="I am away until Monday.",
                extra="Auto-Submitted: auto-replied",
            ),
            ticket.id,
        )
        self.assertTrue(ticket.message_ids.filtered(lambda m: "away until Monday" in (m.body or "")))
        self.assertEqual(ticket.state, "waiting")
        self.assertEqual(ticket.contact_deadline, contact_deadline)
        # The customer's answer threads into the ticket and restarts the clock.
        self.assertEqual(self._reply(ticket, '"Bo Buyer" <buyer@example.com>'), ticket.id)
        self._assert_resumed(ticket, contact_deadline)

    def test_colleague_of_the_customer_resumes(self):
        colleague = self.env["res.partner"].create(
            {"name": "Li Engineer", "email": "li.engineer@example.com", "parent_id": self.customer.id}
        )
        ticket, contact_deadline = self._waiting_ticket()
        self._reply(ticket, f'"{colleague.name}" <{colleague.email}>')
        self._assert_resumed(ticket, contact_deadline)

    def test_portal_message_resumes(self):
        ticket, contact_deadline = self._waiting_ticket(email_from="Bo Buyer <bo.buyer@example.com>")
        self.assertEqual(ticket.partner_id, self.portal_user.partner_id)
        self.authenticate("of_answer_portal", "of_answer_portal")
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "fulfilment.ticket",
                "thread_id": ticket.id,
                "post_data": {
                    "body": "The seal is the one on the left.",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
            },
        )
        self._assert_resumed(ticket, contact_deadline)


@tagged("post_install", "-at_install")
class TestTicketMailTour(HttpCase, TicketMailCase):
    """An e-mail opens a ticket; the agent sets the product and creates a repair order; the
    workshop repairs it in the repair app; the agent resolves and closes the ticket in the web
    client; the customer rates it on the portal. Each user has only their job's groups."""

    def test_email_to_portal_rating(self):
        customer = new_test_user(
            self.env,
            login="of_mail_portal",
            groups="base.group_portal",
            name="Bo Buyer",
            email="bo.buyer@example.com",
        )
        workshop = staff_user(self.env, "of_mail_workshop", "stock.group_stock_user", name="Wu Workshop")
        self.assertFalse(workshop.email or self.agent.email)
        self.assertFalse(self.agent.has_group("stock.group_stock_user"))
        pump = self.env["product.product"].create(
            {"name": "Booster pump", "is_storable": True, "list_price": 800.0}
        )
        self.env["stock.quant"]._update_available_quantity(pump, self.stock_location, 3)
        ticket = self.env["fulfilment.ticket"].browse(
            self._receive(
                "Pump leaking", email_from="Bo Buyer <bo.buyer@example.com>", body="The seal leaks."
            )
        )
        self.assertEqual(ticket.partner_id, customer.partner_id)
        ticket_url = f"/odoo/action-order_fulfilment.fulfilment_ticket_action/{ticket.id}"
        self.start_tour(ticket_url, "order_fulfilment_ticket_mail_agent", login="of_mail_agent")
        repair = ticket.repair_id
        self.assertEqual(ticket.product_id, pump)
        self.assertEqual(ticket.ticket_type, "repair")
        self.assertEqual(repair.fulfilment_ticket_id, ticket)
        self.assertEqual(repair.product_id, pump)
        self.assertEqual(repair.partner_id, customer.partner_id)
        self.start_tour("/odoo/repairs", "order_fulfilment_ticket_repair_workshop", login="of_mail_workshop")
        self.assertEqual(repair.state, "done")
        self.assertEqual(ticket.repair_state, "done")
        self.start_tour(ticket_url, "order_fulfilment_ticket_mail_agent_close", login="of_mail_agent")
        self.assertEqual(ticket.state, "closed")
        self.assertEqual(ticket.resolution, "repair")
        self.assertEqual(ticket.user_id, self.agent)
        self.start_tour(
            f"/my/tickets/{ticket.id}", "order_fulfilment_ticket_rating_portal", login="of_mail_portal"
        )
        ticket.invalidate_recordset()
        self.assertEqual(ticket.satisfaction, "5")
        self.assertEqual(ticket.rating_ids.feedback, "Quick repair, thank you")
