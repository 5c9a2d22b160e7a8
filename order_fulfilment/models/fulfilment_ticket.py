"""After-sales tickets (售后服务): the ticket, its consistency rules, creation and the workflow.

The other capabilities of ``fulfilment.ticket`` extend it in their own files:
``fulfilment_ticket_sla.py`` (deadlines, SLA state, the SLA pass and its escalation) and
``fulfilment_ticket_returns.py`` (returns and replacement orders).
"""

import math

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools.orm import lock_rows
from .mail_thread import SENDER_FALLBACK

TICKET_TYPES = [
    ("complaint", "Complaint"),
    ("return", "Return"),
    ("exchange", "Exchange"),
    ("repair", "Repair"),
    ("installation", "Installation"),
    ("damage", "Damage in Transit"),
    ("missing", "Missing Goods"),
    ("inquiry", "Inquiry"),
]
TICKET_STATES = [
    ("new", "New"),
    ("assigned", "Assigned"),
    ("in_progress", "In Progress"),
    ("waiting", "Waiting for Customer"),
    ("resolved", "Resolved"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
SLA_STATES = [
    ("on_track", "On Track"),
    ("at_risk", "Breach Risk"),
    ("breached", "Breached"),
    ("met", "Met"),
]
RESOLUTIONS = [
    ("return", "Return"),
    ("replacement", "Replacement"),
    ("repair", "Repair"),
    ("refund", "Refund"),
    ("no_action", "No Action"),
]
# Waiting for the customer: still open, its SLA clock stopped (fulfilment_ticket_sla.py).
OPEN_STATES = ("new", "assigned", "in_progress", "waiting")
# Set by the ticket's actions and the SLA pass only, never by a client.
PROTECTED_FIELDS = frozenset(
    {
        "state",
        "sla_state",
        "sla_checked_at",
        "sla_next_check",
        "opened_date",
        "assign_deadline",
        "contact_deadline",
        "assign_warning_date",
        "contact_warning_date",
        "assigned_date",
        "first_contact_date",
        "resolved_date",
        "closed_date",
        "assign_escalated",
        "contact_escalated",
        "resolve_deadline",
        "resolve_warning_date",
        "resolve_escalated",
        "sla_paused_since",
        "sla_paused_minutes",
        "sla_resume_state",
        "return_picking_ids",
        "replacement_order_id",
        "repair_id",
        "delivered_date",
        "warranty_end",
        "in_warranty",
    }
)
# What was handled: fixed once the ticket is resolved, closed or cancelled.
HANDLED_FIELDS = ("partner_id", "order_id", "picking_id", "product_id", "lot_id", "resolution")
DONE_STATES = ("resolved", "closed", "cancelled")


class FulfilmentTicket(models.Model):
    _name = "fulfilment.ticket"
    _description = "After-sales Ticket"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    # Customers reply from the portal, where they only read the ticket.
    _mail_post_access = "read"
    _order = "priority desc, id desc"
    _check_company_auto = True

    name = fields.Char("Reference", required=True, readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, tracking=True, check_company=True, index=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer Company"
    )
    order_id = fields.Many2one(
        "sale.order",
        "Sales Order",
        tracking=True,
        check_company=True,
        index="btree_not_null",
        domain="[('partner_id', 'child_of', commercial_partner_id)]",
    )
    picking_id = fields.Many2one(
        "stock.picking",
        "Delivery",
        tracking=True,
        check_company=True,
        index="btree_not_null",
        domain="[('picking_type_code', '=', 'outgoing'), ('partner_id', 'child_of', commercial_partner_id)]",
    )
    product_id = fields.Many2one("product.product", tracking=True, check_company=True)
    lot_id = fields.Many2one(
        "stock.lot", "Lot/Serial Number", check_company=True, domain="[('product_id', '=', product_id)]"
    )
    quantity = fields.Float(
        digits="Product Unit of Measure", help="Leave empty to return all that was delivered."
    )
    ticket_type = fields.Selection(TICKET_TYPES, "Type", required=True, default="complaint", tracking=True)
    priority = fields.Selection([("0", "Normal"), ("1", "Urgent")], default="0", index=True)
    description = fields.Text()
    user_id = fields.Many2one(
        "res.users",
        "Agent",
        tracking=True,
        index="btree_not_null",
        domain=lambda self: [("groups_id", "in", self.env.ref("order_fulfilment.group_aftersales_user").id)],
    )
    state = fields.Selection(
        TICKET_STATES, default="new", required=True, readonly=True, tracking=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    # Workflow dates (the SLA deadlines and the pass: fulfilment_ticket_sla.py)
    opened_date = fields.Datetime(
        "Opened On", readonly=True, copy=False, help="The service time is counted from this moment."
    )
    assigned_date = fields.Datetime(readonly=True, copy=False)
    first_contact_date = fields.Datetime(readonly=True, copy=False)
    resolved_date = fields.Datetime(readonly=True, copy=False)
    closed_date = fields.Datetime(readonly=True, copy=False)

    # Resolution (R4.2, R4.3)
    resolution = fields.Selection(RESOLUTIONS, tracking=True, copy=False)
    resolution_note = fields.Text(copy=False)
    satisfaction = fields.Selection(
        [("1", "1 - Very unhappy"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5 - Very happy")],
        copy=False,
        tracking=True,
    )
    carrier_name = fields.Char("Carrier", help="The carrier who transported goods damaged in transit.")
    carrier_claim_ref = fields.Char("Carrier Claim Reference", copy=False)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_access_url(self):
        res = super()._compute_access_url()
        for ticket in self:
            ticket.access_url = f"/my/tickets/{ticket.id}"
        return res

    # ------------------------------------------------------------------
    # Consistency
    # ------------------------------------------------------------------
    @api.constrains("partner_id", "order_id", "picking_id", "product_id", "lot_id", "quantity")
    def _check_consistency(self):
        # Agents may lack sales and inventory rights: the checks read the documents as superuser.
        for ticket in self.sudo():
            customer = ticket.partner_id.commercial_partner_id
            if ticket.order_id and ticket.order_id.partner_id.commercial_partner_id != customer:
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s: order %(order)s belongs to %(owner)s, "
                        "not to the customer %(customer)s.",
                        ticket=ticket.name,
                        order=ticket.order_id.name,
                        owner=ticket.order_id.partner_id.commercial_partner_id.display_name,
                        customer=customer.display_name,
                    )
                )
            picking = ticket.picking_id
            if picking and ticket.order_id and picking.sale_id != ticket.order_id:
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s: delivery %(picking)s does not belong to order %(order)s. "
                        "Choose a delivery of that order.",
                        ticket=ticket.name,
                        picking=picking.name,
                        order=ticket.order_id.name,
                    )
                )
            if picking and picking.partner_id.commercial_partner_id != customer:
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s: delivery %(picking)s was not shipped "
                        "to the customer %(customer)s.",
                        ticket=ticket.name,
                        picking=picking.name,
                        customer=customer.display_name,
                    )
                )
            product = ticket.product_id
            if ticket.lot_id and ticket.lot_id.product_id != product:
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s: lot %(lot)s is a lot of %(lot_product)s, not of %(product)s.",
                        ticket=ticket.name,
                        lot=ticket.lot_id.name,
                        lot_product=ticket.lot_id.product_id.display_name,
                        product=product.display_name or self.env._("no product"),
                    )
                )
            if product and (ticket.order_id or picking):
                products = ticket.order_id.order_line.product_id | picking.move_ids.product_id
                if product not in products:
                    raise ValidationError(
                        self.env._(
                            "Ticket %(ticket)s: %(product)s was not on %(documents)s. "
                            "Choose a product of the order or the delivery.",
                            ticket=ticket.name,
                            product=product.display_name,
                            documents=", ".join(filter(None, [ticket.order_id.name, picking.name])),
                        )
                    )
            if not math.isfinite(ticket.quantity) or ticket.quantity < 0:
                raise ValidationError(
                    self.env._("Ticket %(ticket)s: the quantity cannot be negative.", ticket=ticket.name)
                )

    @api.onchange("picking_id")
    def _onchange_picking_id(self):
        if self.picking_id.sale_id and not self.order_id:
            self.order_id = self.picking_id.sale_id

    @api.onchange("order_id")
    def _onchange_order_id(self):
        if self.order_id and not self.partner_id:
            self.partner_id = self.order_id.partner_id

    @api.onchange("lot_id")
    def _onchange_lot_id(self):
        if self.lot_id and not self.product_id:
            self.product_id = self.lot_id.product_id

    # ------------------------------------------------------------------
    # Create / write
    # ------------------------------------------------------------------
    def _check_protected(self, fnames):
        if self.env.su:
            return
        protected = sorted(PROTECTED_FIELDS.intersection(fnames))
        if protected:
            raise UserError(
                self.env._(
                    "After-sales tickets: %(fields)s are set by the ticket's actions "
                    "(assign, contact, start, resolve, close) and the SLA check, not written directly.",
                    fields=", ".join(protected),
                )
            )

    def _check_handled_fields(self, vals):
        """A resolved, closed or cancelled ticket keeps the customer, documents, product and
        resolution it was handled with; the addon's own writes (as superuser) still may."""
        if self.env.su:
            return
        fnames = [fname for fname in HANDLED_FIELDS if fname in vals]
        if not fnames:
            return
        for ticket in self.filtered(lambda t: t.state in DONE_STATES):
            changed = []
            for fname in fnames:
                field = self._fields[fname]
                new = field.convert_to_cache(vals[fname], ticket, validate=False) or False
                old = field.convert_to_cache(ticket[fname], ticket, validate=False) or False
                if new != old:
                    changed.append(field._description_string(self.env))
            if changed:
                states = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s is %(state)s: its %(fields)s cannot change any more. "
                        "Open a new ticket for another problem or document.",
                        ticket=ticket.name,
                        state=states[ticket.state],
                        fields=", ".join(changed),
                    )
                )

    def _check_assignable(self, user, company=None):
        """Tickets go to active after-sales agents of their company only.

        :param company: the tickets' company when it changes in the same write, or the company
            of a new ticket (then ``self`` is empty)
        """
        user_sudo = user.sudo()
        if not user_sudo.exists() or not user_sudo.has_group("order_fulfilment.group_aftersales_user"):
            name = user_sudo.exists().name or user.id
            if not self:
                raise UserError(
                    self.env._(
                        "%(user)s is not an after-sales agent: give the new ticket to a member of the "
                        "after-sales team.",
                        user=name,
                    )
                )
            raise UserError(
                self.env._(
                    "%(user)s is not an after-sales agent, so tickets %(tickets)s cannot be assigned to "
                    "them. Assign them to a member of the after-sales team.",
                    user=name,
                    tickets=", ".join(self.mapped("name")),
                )
            )
        if not user_sudo.active:
            raise UserError(
                self.env._(
                    "%(user)s is archived: assign the tickets to an active agent.", user=user_sudo.name
                )
            )
        if not self and company and company not in user_sudo.company_ids:
            raise UserError(
                self.env._(
                    "%(user)s does not work for %(company)s: give the new ticket to an agent of that "
                    "company.",
                    user=user_sudo.name,
                    company=company.name,
                )
            )
        elsewhere = self.filtered(lambda t: (company or t.company_id) not in user_sudo.company_ids)
        if elsewhere:
            raise UserError(
                self.env._(
                    "%(user)s does not work for %(company)s, so tickets %(tickets)s cannot be "
                    "assigned to them.",
                    user=user_sudo.name,
                    company=(company or elsewhere[0].company_id).name,
                    tickets=", ".join(elsewhere.mapped("name")),
                )
            )

    def _check_finite_quantity(self, vals_list):
        for vals in vals_list:
            value = vals.get("quantity")
            if isinstance(value, (int, float)) and not (math.isfinite(value) and abs(value) < 1e12):
                raise ValidationError(
                    self.env._(
                        "The quantity of an after-sales ticket must be a number below a trillion, "
                        "not %(value)s.",
                        value=value,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_finite_quantity(vals_list)
        if not self.env.su:
            for vals in vals_list:
                self._check_protected(vals)
            # Context defaults open no way around the protected fields.
            context = {
                key: value
                for key, value in self.env.context.items()
                if not (key.startswith("default_") and key[8:] in PROTECTED_FIELDS)
            }
            self = self.with_context(context)  # noqa: PLW0642  # pylint: disable=context-overridden
        now = fields.Datetime.now()
        Picking = self.env["stock.picking"].sudo()
        Lot = self.env["stock.lot"].sudo()
        Company = self.env["res.company"]
        for vals in vals_list:
            if vals.get("picking_id") and not vals.get("order_id"):
                vals["order_id"] = Picking.browse(vals["picking_id"]).sale_id.id or False
            if vals.get("lot_id") and not vals.get("product_id"):
                vals["product_id"] = Lot.browse(vals["lot_id"]).product_id.id
            vals.setdefault("opened_date", now)
            vals.setdefault("sla_checked_at", vals["opened_date"])
            vals.setdefault("state", "new")
            if vals.get("name", "/") == "/":
                company = Company.browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .sudo()
                    .next_by_code(
                        "fulfilment.ticket", sequence_date=fields.Datetime.to_datetime(vals["opened_date"])
                    )
                )
        if not self.env.su:
            for vals in vals_list:
                if vals.get("user_id"):
                    company = Company.browse(vals.get("company_id")) or self.env.company
                    self.browse()._check_assignable(self.env["res.users"].browse(vals["user_id"]), company)
        tickets = super().create(vals_list)
        tickets.filtered(lambda t: not t.assign_deadline)._set_deadlines()
        # Refresh the SLA at creation time (a ticket opened in the past may be due already).
        tickets.filtered(lambda t: t.state != "cancelled")._sla_refresh(now)
        return tickets

    def write(self, vals):
        self._check_finite_quantity([vals])
        self._check_protected(vals)
        self._check_handled_fields(vals)
        if vals.get("user_id") and not self.env.su:
            user = self.env["res.users"].browse(vals["user_id"])
            company = self.env["res.company"].browse(vals["company_id"]) if vals.get("company_id") else None
            self.filtered(lambda t: t.user_id != user or company)._check_assignable(user, company)
        if "company_id" in vals and any(t.state != "new" for t in self):
            raise UserError(self.env._("The company of a ticket in progress cannot change."))
        if (
            vals.get("company_id")
            and not self.env.su
            and vals["company_id"] not in self.env.user.company_ids.ids
        ):
            raise AccessError(
                self.env._(
                    "Tickets %(tickets)s can only move to a company you work for.",
                    tickets=", ".join(self.mapped("name")),
                )
            )
        return super().write(vals)

    def unlink(self):
        for ticket in self:
            if ticket.state not in ("new", "cancelled"):
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s is %(state)s: cancel it instead of deleting it.",
                        ticket=ticket.name,
                        state=dict(TICKET_STATES)[ticket.state],
                    )
                )
        return super().unlink()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _lock(self):
        """Lock the tickets' rows, then read their fresh state."""
        lock_rows(self)

    def _check_agent(self):
        if not (self.env.su or self.env.user.has_group("order_fulfilment.group_aftersales_user")):
            raise UserError(self.env._("Only after-sales agents can work on tickets."))
        self.check_access("write")

    def _check_state(self, allowed, action):
        for ticket in self:
            if ticket.state not in allowed:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s is %(state)s: it cannot be %(action)s.",
                        ticket=ticket.name,
                        state=dict(TICKET_STATES)[ticket.state],
                        action=action,
                    )
                )

    def action_assign(self, user_id=None):
        self._check_agent()
        self._lock()
        self._check_state(OPEN_STATES, self.env._("assigned"))
        if user_id and (not isinstance(user_id, int) or isinstance(user_id, bool)):
            raise UserError(
                self.env._("Assign the tickets to a user, given by its id (not %(value)r).", value=user_id)
            )
        user = self.env["res.users"].browse(user_id) if user_id else self.env.user
        self._check_assignable(user)
        now = fields.Datetime.now()
        first = self.filtered(lambda t: not t.assigned_date)
        self.write({"user_id": user.id})
        if first:
            first.sudo().write({"assigned_date": now})
        self.filtered(lambda t: t.state == "new").sudo().write({"state": "assigned"})
        self._sla_refresh(now)
        return True

    def action_contact(self, note=None):
        self._check_agent()
        self._lock()
        self._check_state(("assigned", "in_progress"), self.env._("contacted (assign it first)"))
        if note is not None and (not isinstance(note, str) or not note.strip()):
            raise UserError(
                self.env._(
                    "Ticket %(tickets)s: write what was said with the customer.",
                    tickets=", ".join(self.mapped("name")),
                )
            )
        now = fields.Datetime.now()
        self.filtered(lambda t: not t.first_contact_date).sudo().write({"first_contact_date": now})
        self._fulfilment_post(lambda ticket: note or ticket.env._("Customer contacted."))
        self._sla_refresh(now)
        return True

    def action_start(self):
        self._check_agent()
        self._lock()
        self._check_state(("assigned",), self.env._("started"))
        self.sudo().write({"state": "in_progress"})
        return True

    def action_resolve(self):
        self._check_agent()
        self._lock()
        self._check_state(("assigned", "in_progress"), self.env._("resolved"))
        for ticket in self:
            if not ticket.resolution:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s: choose a resolution before resolving it.", ticket=ticket.name
                    )
                )
            if not ticket.first_contact_date:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s: record the contact with the customer before resolving it.",
                        ticket=ticket.name,
                    )
                )
        self.sudo().write({"state": "resolved", "resolved_date": fields.Datetime.now()})
        return True

    def action_close(self, satisfaction=None):
        self._check_agent()
        self._lock()
        self._check_state(("resolved",), self.env._("closed (resolve it first)"))
        if satisfaction is not None:
            if str(satisfaction) not in {"1", "2", "3", "4", "5"}:
                raise UserError(self.env._("The satisfaction score is a number from 1 to 5."))
            self.write({"satisfaction": str(satisfaction)})
        self.sudo().write({"state": "closed", "closed_date": fields.Datetime.now()})
        return True

    def action_cancel(self):
        self._check_agent()
        self._lock()
        self._check_state(OPEN_STATES, self.env._("cancelled"))
        self.sudo().write({"state": "cancelled"})
        return True

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        # Customers (portal) and agents without an e-mail address write in the ticket's thread:
        # its followers are told from the company's address.
        return super(FulfilmentTicket, self.with_context(**{SENDER_FALLBACK: True}))._message_compute_author(
            author_id, email_from, raise_on_email=raise_on_email
        )

    def _fulfilment_post_to_customer(self, body):
        """A message the customer reads on the portal (and the followers by e-mail), in the
        customer's language."""
        for ticket in self:
            lang = ticket.partner_id.lang or ticket.company_id.partner_id.lang
            ticket._fulfilment_post(body, lang=lang, message_type="comment", subtype_xmlid="mail.mt_comment")
