"""After-sales tickets by e-mail (售后服务, R4.1, R4.3).

- New e-mails to a company's after-sales alias (``res_company_aftersales_mail.py``) become tickets
  through Odoo's mail gateway (``message_new``): the customer is the sender's contact (created
  when unknown), an order or delivery of that customer named in the subject is linked, and the
  customer gets an acknowledgement with the ticket number and the assign and contact deadlines.
- Replies thread into the ticket (the gateway routes them by their references); answers to the
  ticket's e-mails go to the after-sales address. The customer's own answer, by e-mail or on the
  portal, restarts the clock of a ticket waiting for them (``fulfilment_ticket_sla.py``); the
  agents' messages and automatic replies do not.
- Bounces never reach ``message_new`` (the gateway handles them); auto-replies (``Auto-Submitted``,
  ``X-Autoreply``, ``Precedence: bulk``...) open no ticket.
- The customer is told by e-mail, in their language, when the ticket is assigned, resolved and
  closed (the closing message asks for a rating: ``fulfilment_ticket_rating.py``). The messages
  are mail templates that admins edit.
"""

import logging
import re

from odoo import SUPERUSER_ID, api, models
from odoo.tools import format_datetime, html2plaintext

_logger = logging.getLogger(__name__)

# Headers of automatic messages (RFC 3834, and the usual non-standard ones).
AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond")
AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
# A document reference in a subject: ASCII letters, digits and / _ . - with a digit in it
# (S00012, WH/OUT/00005); CJK text around it is not part of it.
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.\-]*[A-Za-z0-9]")

# Context key: the message being posted is an automatic reply that came in by e-mail.
AUTOMATIC_MESSAGE = "fulfilment_automatic_message"

TEMPLATE_ACKNOWLEDGEMENT = "order_fulfilment.mail_template_ticket_acknowledgement"
TEMPLATE_ASSIGNED = "order_fulfilment.mail_template_ticket_assigned"
TEMPLATE_RESOLVED = "order_fulfilment.mail_template_ticket_resolved"
TEMPLATE_CLOSED = "order_fulfilment.mail_template_ticket_closed"


def is_auto_reply(message):
    """True for an automatic message (out of office, auto-responder, bulk mail)."""
    auto_submitted = (message.get("Auto-Submitted") or "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if any(message.get(header) for header in AUTO_REPLY_HEADERS):
        return True
    return (message.get("Precedence") or "").strip().lower() in AUTO_PRECEDENCE


def subject_references(subject):
    """The candidate document references of a subject."""
    tokens = {token for token in REFERENCE.findall(subject or "") if any(c.isdigit() for c in token)}
    return tokens | {token.upper() for token in tokens}


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        routes = super().message_route(
            message, message_dict, model=model, thread_id=thread_id, custom_values=custom_values
        )
        if routes and is_auto_reply(message):
            kept = [route for route in routes if not (route[0] == "fulfilment.ticket" and not route[1])]
            if len(kept) != len(routes):
                _logger.info(
                    "Automatic reply from %s (Message-Id %s) opens no after-sales ticket",
                    message_dict.get("email_from"),
                    message_dict.get("message_id"),
                )
            return kept
        return routes

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        # An automatic reply (out of office...) threads into its ticket but is no answer of the
        # customer: it does not end the wait (FulfilmentTicket._message_post_after_hook).
        thread = self.with_context(**{AUTOMATIC_MESSAGE: True}) if is_auto_reply(message) else self
        return super(MailThread, thread)._message_route_process(message, message_dict, routes)


class FulfilmentTicket(models.Model):
    _inherit = "fulfilment.ticket"

    # ------------------------------------------------------------------
    # Incoming e-mail
    # ------------------------------------------------------------------
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A ticket from a new e-mail to the after-sales alias (its defaults give the company)."""
        values = dict(custom_values or {})
        company = self.env["res.company"].browse(values.get("company_id")).exists() or self.env.company
        partner = self._fulfilment_mail_customer(msg_dict, company)
        subject = (msg_dict.get("subject") or "").strip()
        body = html2plaintext(msg_dict.get("body") or "").strip()
        values.setdefault("ticket_type", "inquiry")
        values.update(
            {
                "name": "/",
                "partner_id": partner.id,
                "company_id": company.id,
                "description": "\n\n".join(part for part in (subject, body) if part),
            }
        )
        for fname, value in self._fulfilment_mail_documents(subject, partner, company).items():
            values.setdefault(fname, value)
        ticket = super(FulfilmentTicket, self.with_company(company)).message_new(msg_dict, values)
        ticket._fulfilment_send_customer_mail(TEMPLATE_ACKNOWLEDGEMENT)
        return ticket

    def _message_post_after_hook(self, message, msg_values):
        result = super()._message_post_after_hook(message, msg_values)
        if (
            self.sudo().state == "waiting"
            and not self.env.context.get(AUTOMATIC_MESSAGE)
            and self._fulfilment_from_customer(message)
        ):
            # The customer answered: the clock runs again. As OdooBot (the customer may only read
            # the ticket; the note saying so is the system's, as for the gateway).
            self.with_user(SUPERUSER_ID)._sla_customer_answered()
        return result

    def _fulfilment_from_customer(self, message):
        """True for a message the ticket's customer wrote (an e-mail, or a message on the portal):
        its author is a contact of the ticket's customer company and no internal user."""
        self.ensure_one()
        message = message.sudo()
        author = message.author_id
        if not author or message.message_type not in ("email", "comment") or message.subtype_id.internal:
            return False
        if author.commercial_partner_id != self.sudo().commercial_partner_id:
            return False
        return not author.with_context(active_test=False).user_ids.filtered(lambda user: not user.share)

    @api.model
    def _fulfilment_mail_customer(self, msg_dict, company):
        """The sender's contact (a partner shared or of the company), created when unknown, in the
        company's language.

        A new contact is shared (no company), as Odoo's own apps make them from e-mail: the mail
        gateway creates the author with ``name_create`` and CRM its customers with
        ``_prepare_customer_values``, neither with a company; in a multi-company database a
        customer who writes to two companies' after-sales addresses stays one contact."""
        Partner = self.env["res.partner"]
        partner = Partner.browse(msg_dict.get("author_id")).exists()
        if partner and partner.company_id and partner.company_id != company:
            partner = Partner
        if not partner:
            partner = self.with_context(default_lang=company.partner_id.lang)._mail_find_partner_from_emails(
                [msg_dict.get("email_from") or ""],
                force_create=True,
                extra_domain=[("company_id", "in", [False, company.id])],
            )[0]
        if not partner:
            # No address at all in From: the company's own contact, so that the ticket is not lost.
            partner = company.partner_id
        return partner

    @api.model
    def _fulfilment_mail_documents(self, subject, partner, company):
        """The order and delivery of this customer (only) whose references the subject names."""
        references = subject_references(subject)
        if not references:
            return {}
        customer = partner.commercial_partner_id
        picking = (
            self.env["stock.picking"]
            .sudo()
            .search(
                [
                    ("name", "in", list(references)),
                    ("picking_type_code", "=", "outgoing"),
                    ("partner_id", "child_of", customer.id),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
        )
        order = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("name", "in", list(references)),
                    ("partner_id", "child_of", customer.id),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
        )
        if picking and order and picking.sale_id != order:
            picking = picking.browse()  # two documents that do not match: keep the order
        order = order or picking.sale_id
        return {
            fname: record.id for fname, record in (("order_id", order), ("picking_id", picking)) if record
        }

    def _notify_get_reply_to(self, default=None):
        """Answers to a ticket's e-mails go to its company's after-sales address."""
        reply_to = super()._notify_get_reply_to(default=default)
        for ticket in self.sudo():
            alias = ticket.company_id.fulfilment_aftersales_alias_id
            if alias.alias_name and alias.alias_domain_id:
                reply_to[ticket.id] = self._notify_get_reply_to_formatted_email(
                    alias.alias_full_name, ticket.name, company=ticket.company_id
                )
        return reply_to

    # ------------------------------------------------------------------
    # Keeping the customer informed
    # ------------------------------------------------------------------
    def action_assign(self, user_id=None):
        # Read before the action checks who acts: as superuser, so that a user without access gets
        # the action's own error.
        first = self.browse(self.sudo().filtered(lambda t: t.state == "new").ids)
        result = super().action_assign(user_id=user_id)
        first._fulfilment_send_customer_mail(TEMPLATE_ASSIGNED)
        return result

    def action_resolve(self):
        result = super().action_resolve()
        self._fulfilment_send_customer_mail(TEMPLATE_RESOLVED)
        return result

    def action_close(self, satisfaction=None):
        result = super().action_close(satisfaction=satisfaction)
        self._fulfilment_send_customer_mail(TEMPLATE_CLOSED)
        return result

    def _fulfilment_customer_lang(self):
        self.ensure_one()
        return self.partner_id.lang or self.company_id.partner_id.lang or "en_US"

    def _fulfilment_send_customer_mail(self, template_xmlid):
        """Send the template to each ticket's customer with an e-mail address, as a message of the
        ticket (the customer reads it on the portal too), in the customer's language (the template's
        ``lang``), from the agent's name (or the company's) at the company's address."""
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not template or not self:
            return self.env["mail.message"]
        messages = self.env["mail.message"]
        for ticket in self.sudo().filtered(lambda t: t.partner_id.email_normalized):
            author = ticket.user_id.partner_id or ticket.company_id.partner_id
            ticket = ticket.with_company(ticket.company_id)._fulfilment_with_sender(
                ticket._fulfilment_customer_lang()
            )
            messages |= ticket.message_post_with_source(
                template,
                message_type="auto_comment",
                subtype_xmlid="mail.mt_comment",
                author_id=author.id,
                email_layout_xmlid="mail.mail_notification_light",
            )
        return messages

    def _fulfilment_mail_from(self):
        """The sender of the customer e-mails: the agent's name (or the company's) at the company's
        address."""
        self.ensure_one()
        author = self.user_id.partner_id or self.company_id.partner_id
        return self.with_company(self.company_id)._fulfilment_fallback_email(author.id)

    def _fulfilment_mail_values(self):
        """What the customer e-mails show, formatted in the customer's language and time zone."""
        self.ensure_one()
        ticket = self.sudo()
        lang = ticket._fulfilment_customer_lang()
        tz = ticket.partner_id.tz or ticket.company_id.partner_id.tz or "UTC"

        def moment(value):
            return format_datetime(self.env, value, tz=tz, dt_format="short", lang_code=lang) if value else ""

        selection = dict(
            ticket._fields["ticket_type"]._description_selection(ticket.with_context(lang=lang).env)
        )
        resolutions = dict(
            ticket._fields["resolution"]._description_selection(ticket.with_context(lang=lang).env)
        )
        return {
            "customer": ticket.partner_id.name or "",
            "ticket": ticket.name,
            "type": selection.get(ticket.ticket_type, ""),
            "order": ticket.order_id.name or "",
            "delivery": ticket.picking_id.name or "",
            "agent": ticket.user_id.name or "",
            "opened": moment(ticket.opened_date),
            "assign_deadline": moment(ticket.assign_deadline),
            "contact_deadline": moment(ticket.contact_deadline),
            "resolution": resolutions.get(ticket.resolution, ""),
            "resolution_note": ticket.resolution_note or "",
            "company": ticket.company_id.name,
            "portal_url": ticket.get_base_url() + ticket.get_portal_url(),
        }
