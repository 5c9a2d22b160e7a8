import logging
import math
from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_is_zero

from ..tools.orm import lock_rows, run_batches
from .fulfilment_ticket_sla import AT_RISK_SHARE, add_service_minutes, evaluate_sla, next_sla_check
from .mail_thread import SENDER_FALLBACK

_logger = logging.getLogger(__name__)

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
OPEN_STATES = ("new", "assigned", "in_progress")
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
        "return_picking_ids",
        "replacement_order_id",
    }
)
# What was handled: fixed once the ticket is resolved, closed or cancelled.
HANDLED_FIELDS = ("partner_id", "order_id", "picking_id", "product_id", "lot_id", "resolution")
DONE_STATES = ("resolved", "closed", "cancelled")
# Working time looked ahead when counting SLA minutes in the company calendar.
CALENDAR_LOOKAHEAD = timedelta(days=60)


class FulfilmentTicket(models.Model):
    _name = "fulfilment.ticket"
    _description = "After-sales Ticket"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "priority desc, id desc"
    _check_company_auto = True
    # Customers reply from the portal, where they only read the ticket.
    _mail_post_access = "read"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, tracking=True, check_company=True, index=True
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer Company"
    )
    order_id = fields.Many2one(
        "sale.order",
        string="Sales Order",
        tracking=True,
        check_company=True,
        index="btree_not_null",
        domain="[('partner_id', 'child_of', commercial_partner_id)]",
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        tracking=True,
        check_company=True,
        index="btree_not_null",
        domain="[('picking_type_code', '=', 'outgoing'), ('partner_id', 'child_of', commercial_partner_id)]",
    )
    product_id = fields.Many2one("product.product", tracking=True, check_company=True)
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial Number",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    quantity = fields.Float(
        digits="Product Unit of Measure", help="Leave empty to return all that was delivered."
    )
    ticket_type = fields.Selection(
        TICKET_TYPES, string="Type", required=True, default="complaint", tracking=True
    )
    priority = fields.Selection([("0", "Normal"), ("1", "Urgent")], default="0", index=True)
    description = fields.Text()
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        tracking=True,
        index="btree_not_null",
        domain=lambda self: [("groups_id", "in", self.env.ref("order_fulfilment.group_aftersales_user").id)],
    )
    state = fields.Selection(
        TICKET_STATES, default="new", required=True, readonly=True, tracking=True, index=True, copy=False
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    # SLA (R4.1)
    opened_date = fields.Datetime(
        string="Opened On", readonly=True, copy=False, help="The service time is counted from this moment."
    )
    assign_deadline = fields.Datetime(readonly=True, copy=False, index=True)
    contact_deadline = fields.Datetime(readonly=True, copy=False, index=True)
    assign_warning_date = fields.Datetime(readonly=True, copy=False)
    contact_warning_date = fields.Datetime(readonly=True, copy=False)
    assigned_date = fields.Datetime(readonly=True, copy=False)
    first_contact_date = fields.Datetime(readonly=True, copy=False)
    resolved_date = fields.Datetime(readonly=True, copy=False)
    closed_date = fields.Datetime(readonly=True, copy=False)
    sla_state = fields.Selection(
        SLA_STATES, string="SLA", default="on_track", required=True, readonly=True, copy=False, index=True
    )
    sla_checked_at = fields.Datetime(readonly=True, copy=False)
    sla_next_check = fields.Datetime(
        compute="_compute_sla_next_check",
        store=True,
        index="btree_not_null",
        help="The next moment the SLA state of the ticket can change; the SLA pass only reads due tickets.",
    )
    assign_escalated = fields.Boolean(readonly=True, copy=False)
    contact_escalated = fields.Boolean(readonly=True, copy=False)
    next_deadline = fields.Datetime(
        compute="_compute_next_deadline", store=True, help="The earliest deadline whose event is still due."
    )
    sla_remaining_label = fields.Char(string="Time Left", compute="_compute_sla_remaining")
    sla_remaining_minutes = fields.Integer(string="Minutes Left", compute="_compute_sla_remaining")

    # Resolution (R4.2, R4.3)
    resolution = fields.Selection(RESOLUTIONS, tracking=True, copy=False)
    resolution_note = fields.Text(copy=False)
    satisfaction = fields.Selection(
        [("1", "1 - Very unhappy"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5 - Very happy")],
        copy=False,
        tracking=True,
    )
    carrier_name = fields.Char(string="Carrier", help="The carrier who transported goods damaged in transit.")
    carrier_claim_ref = fields.Char(string="Carrier Claim Reference", copy=False)
    return_picking_ids = fields.Many2many(
        "stock.picking",
        "fulfilment_ticket_return_picking_rel",
        "ticket_id",
        "picking_id",
        string="Returns",
        copy=False,
        readonly=True,
    )
    return_count = fields.Integer(compute="_compute_return_count")
    replacement_order_id = fields.Many2one("sale.order", copy=False, readonly=True, index="btree_not_null")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _sla_events(self):
        self.ensure_one()
        return [
            (self.assign_warning_date, self.assign_deadline, self.assigned_date, self.assign_escalated),
            (
                self.contact_warning_date,
                self.contact_deadline,
                self.first_contact_date,
                self.contact_escalated,
            ),
        ]

    @api.depends(
        "state",
        "sla_checked_at",
        "assign_deadline",
        "contact_deadline",
        "assign_warning_date",
        "contact_warning_date",
        "assigned_date",
        "first_contact_date",
        "assign_escalated",
        "contact_escalated",
    )
    def _compute_sla_next_check(self):
        for ticket in self:
            if ticket.state == "cancelled" or not ticket.sla_checked_at or not ticket.assign_deadline:
                ticket.sla_next_check = False
                continue
            ticket.sla_next_check = next_sla_check(ticket.sla_checked_at, ticket._sla_events()) or False

    @api.depends("state", "assign_deadline", "contact_deadline", "assigned_date", "first_contact_date")
    def _compute_next_deadline(self):
        for ticket in self:
            due = []
            if ticket.state in OPEN_STATES:
                if not ticket.assigned_date and ticket.assign_deadline:
                    due.append(ticket.assign_deadline)
                if not ticket.first_contact_date and ticket.contact_deadline:
                    due.append(ticket.contact_deadline)
            ticket.next_deadline = min(due) if due else False

    @api.depends("next_deadline")
    def _compute_sla_remaining(self):
        now = fields.Datetime.now()
        for ticket in self:
            if not ticket.next_deadline:
                ticket.sla_remaining_minutes = 0
                ticket.sla_remaining_label = False
                continue
            minutes = int((ticket.next_deadline - now).total_seconds() // 60)
            ticket.sla_remaining_minutes = minutes
            if minutes >= 0:
                ticket.sla_remaining_label = self.env._("%(minutes)s min left", minutes=minutes)
            else:
                ticket.sla_remaining_label = self.env._("%(minutes)s min late", minutes=-minutes)

    def _compute_return_count(self):
        for ticket in self:
            ticket.return_count = len(ticket.return_picking_ids)

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
            if ticket.lot_id and ticket.lot_id.product_id != ticket.product_id:
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s: lot %(lot)s is a lot of %(lot_product)s, not of %(product)s.",
                        ticket=ticket.name,
                        lot=ticket.lot_id.name,
                        lot_product=ticket.lot_id.product_id.display_name,
                        product=ticket.product_id.display_name or self.env._("no product"),
                    )
                )
            if ticket.product_id and (ticket.order_id or picking):
                products = ticket.order_id.order_line.product_id | picking.move_ids.product_id
                if ticket.product_id not in products:
                    raise ValidationError(
                        self.env._(
                            "Ticket %(ticket)s: %(product)s was not on %(documents)s. "
                            "Choose a product of the order or the delivery.",
                            ticket=ticket.name,
                            product=ticket.product_id.display_name,
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
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s is %(state)s: its %(fields)s cannot change any more. "
                        "Open a new ticket for another problem or document.",
                        ticket=ticket.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[ticket.state],
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
    # SLA
    # ------------------------------------------------------------------
    def _set_deadlines(self):
        """Deadlines from the opening moment and the company's service times."""
        by_company = defaultdict(lambda: self.browse())
        for ticket in self:
            by_company[ticket.company_id] |= ticket
        for company, tickets in by_company.items():
            intervals = None
            if company.fulfilment_sla_use_calendar:
                # One read of the calendar (attendances and holidays) per company, not per ticket.
                intervals = company._fulfilment_work_intervals(
                    min(tickets.mapped("opened_date")),
                    max(tickets.mapped("opened_date")) + CALENDAR_LOOKAHEAD,
                )
            assign = company.aftersales_assign_minutes
            contact = company.aftersales_contact_minutes
            values = defaultdict(list)
            for ticket in tickets:
                start = ticket.opened_date

                def deadline(minutes, start=start, intervals=intervals):
                    moment = add_service_minutes(start, minutes, intervals)
                    # A calendar without enough working time falls back to the wall clock.
                    return moment or add_service_minutes(start, minutes)

                vals = {
                    "assign_deadline": deadline(assign),
                    "assign_warning_date": deadline(assign * (1 - AT_RISK_SHARE)),
                    "contact_deadline": deadline(contact),
                    "contact_warning_date": deadline(contact * (1 - AT_RISK_SHARE)),
                }
                values[tuple(sorted(vals.items()))].append(ticket.id)
            for key, ids in values.items():
                self.browse(ids).sudo().write(dict(key))

    def _sla_refresh(self, now, escalate=False):
        """Recompute the SLA state at ``now``, grouped writes; escalate new breaches."""
        groups = defaultdict(list)
        to_escalate = []
        for ticket in self:
            vals = {"sla_checked_at": now}
            if ticket.state != "cancelled" and ticket.assign_deadline:
                events = ticket._sla_events()
                sla_state, breached = evaluate_sla(now, [event[:3] for event in events])
                vals["sla_state"] = sla_state
                if escalate:
                    new_breaches = []
                    for flag, is_breached, event in zip(
                        ("assign_escalated", "contact_escalated"), breached, events, strict=True
                    ):
                        if is_breached and not event[3]:
                            vals[flag] = True
                            new_breaches.append(flag)
                    if new_breaches:
                        to_escalate.append((ticket, new_breaches))
            groups[tuple(sorted(vals.items()))].append(ticket.id)
        for key, ids in groups.items():
            self.browse(ids).sudo().write(dict(key))
        if to_escalate:
            self._escalate(to_escalate)

    def _escalate(self, breaches):
        """Tell the after-sales managers of breached deadlines: a note and an activity each."""
        managers = (
            self.env.ref("order_fulfilment.group_aftersales_manager")
            .sudo()
            .users.filtered(lambda user: user.active and not user.share)
        )
        activity_type = self.env.ref(
            "order_fulfilment.mail_activity_type_ticket_escalation", raise_if_not_found=False
        )
        model_id = self.env["ir.model"]._get_id("fulfilment.ticket")
        activities = []

        def missed(ticket, flags):
            """What was missed, in the language of the ticket's environment."""
            labels = {
                "assign_escalated": ticket.env._("assign deadline"),
                "contact_escalated": ticket.env._("contact deadline"),
            }
            return ", ".join(labels[flag] for flag in flags)

        def body(ticket, flags):
            return ticket.env._(
                "Ticket %(ticket)s (%(customer)s) missed its %(what)s. Agent: %(agent)s.",
                ticket=ticket.name,
                customer=ticket.partner_id.display_name,
                what=missed(ticket, flags),
                agent=ticket.user_id.name or ticket.env._("nobody assigned"),
            )

        flags_by_ticket = {}
        for ticket, flags in breaches:
            ticket = ticket.sudo()
            flags_by_ticket[ticket.id] = flags
            company_managers = managers.filtered(lambda user, t=ticket: t.company_id in user.company_ids)
            for manager in company_managers:
                # In the manager's language.
                in_lang = ticket.with_context(lang=manager.lang)
                activities.append(
                    {
                        "res_model_id": model_id,
                        "res_id": ticket.id,
                        "user_id": manager.id,
                        "activity_type_id": activity_type.id if activity_type else False,
                        "summary": in_lang.env._("SLA breached: %(what)s", what=missed(in_lang, flags)),
                        "note": body(in_lang, flags),
                        "date_deadline": fields.Date.context_today(ticket),
                    }
                )
        # One batch of notes (no e-mail per ticket): the managers' activities are the notification.
        tickets = self.browse(list(flags_by_ticket)).sudo()
        tickets._fulfilment_log(lambda ticket: body(ticket, flags_by_ticket[ticket.id]))
        if activities:
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activities)

    @api.model
    def _cron_sla_check(self, batch_size=500, now=None):
        """After-sales SLA pass: refresh due tickets, escalate breaches once.

        Reads only tickets whose ``sla_next_check`` is due (indexed), locks them with
        SKIP LOCKED so concurrent passes never process a ticket twice.
        """
        now = now or fields.Datetime.now()

        def batch(limit):
            self.env["fulfilment.ticket"].flush_model(["sla_next_check"])
            self.env.cr.execute(
                SQL(
                    """SELECT id FROM fulfilment_ticket
                        WHERE sla_next_check <= %s
                        ORDER BY sla_next_check
                        LIMIT %s
                        FOR UPDATE SKIP LOCKED""",
                    now,
                    limit,
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            tickets = self.sudo().browse(ids)
            tickets._sla_refresh(now, escalate=True)
            tickets.flush_recordset()
            tickets.invalidate_recordset()
            return len(ids), len(ids) == limit

        return run_batches(self.env, batch, batch_size)

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

    def action_create_return(self):
        self.ensure_one()
        self._check_agent()
        self._lock()
        self._check_state(OPEN_STATES, self.env._("given a return"))
        picking = self.picking_id.sudo()
        if not picking or not self.product_id:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s: set the delivery and the product to return first.", ticket=self.name
                )
            )
        if picking.state != "done":
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s: delivery %(picking)s is not done yet; "
                    "only delivered goods come back.",
                    ticket=self.name,
                    picking=picking.name,
                )
            )
        open_returns = self.sudo().return_picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        if open_returns:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s already has the open return %(returns)s.",
                    ticket=self.name,
                    returns=", ".join(open_returns.mapped("name")),
                )
            )
        # Agents need no inventory rights: the ticket's checks above guard the return.
        wizard = (
            self.env["stock.return.picking"]
            .sudo()
            .with_context(active_id=picking.id, active_ids=picking.ids, active_model="stock.picking")
            .create({"picking_id": picking.id})
        )
        product_lines = wizard.product_return_moves.filtered(lambda line: line.product_id == self.product_id)
        if not product_lines:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s: %(product)s is not on delivery %(picking)s.",
                    ticket=self.name,
                    product=self.product_id.display_name,
                    picking=picking.name,
                )
            )
        # What was delivered, less what already came back (Odoo's own "return all" arithmetic).
        for line in wizard.product_return_moves:
            line.quantity = 0
        returned = (
            self.env["stock.move"]
            .sudo()
            .search([("origin_returned_move_id", "in", product_lines.move_id.ids), ("state", "!=", "cancel")])
        )
        available = {}
        for line in product_lines:
            move = line.move_id
            qty = move.quantity - sum(
                returned.filtered(lambda m, o=move: m.origin_returned_move_id == o).mapped("quantity")
            )
            available[line] = max(qty, 0.0)
        wanted = self.quantity or sum(available.values())
        total = sum(available.values())
        rounding = self.product_id.uom_id.rounding
        if float_is_zero(total, precision_rounding=rounding) or wanted > total + rounding:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s: %(wanted)s of %(product)s cannot come back, "
                    "only %(available)s left to return on %(picking)s.",
                    ticket=self.name,
                    wanted=wanted,
                    product=self.product_id.display_name,
                    available=total,
                    picking=picking.name,
                )
            )
        for line, qty in available.items():
            line.quantity = min(qty, wanted)
            wanted -= line.quantity
        action = wizard.action_create_returns()
        return_picking = self.env["stock.picking"].sudo().browse(action["res_id"])
        self.sudo().write({"return_picking_ids": [Command.link(return_picking.id)]})
        self._fulfilment_post_to_customer(
            lambda ticket: ticket.env._("Return %(picking)s created.", picking=return_picking.name)
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Return"),
            "res_model": "stock.picking",
            "res_id": return_picking.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_create_replacement(self):
        self.ensure_one()
        self._check_agent()
        self._lock()
        self._check_state(OPEN_STATES, self.env._("given a replacement"))
        if self.replacement_order_id:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s already has the replacement order %(order)s.",
                    ticket=self.name,
                    order=self.replacement_order_id.name,
                )
            )
        if not self.product_id:
            raise UserError(
                self.env._("Ticket %(ticket)s: set the product to replace first.", ticket=self.name)
            )
        # Agents need no sales rights: the ticket's checks above guard the replacement.
        order = (
            self.env["sale.order"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "origin": self.name,
                    "user_id": (self.order_id.sudo().user_id or self.env.user).id,
                    "fulfilment_replacement_ticket_id": self.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_id.id,
                                "product_uom_qty": self.quantity or 1.0,
                                "price_unit": 0.0,
                                "discount": 0.0,
                            }
                        )
                    ],
                }
            )
        )
        self.sudo().write({"replacement_order_id": order.id})
        self._fulfilment_post_to_customer(
            lambda ticket: ticket.env._(
                "Replacement order %(order)s created at zero price.", order=order.name
            )
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Replacement Order"),
            "res_model": "sale.order",
            "res_id": order.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

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

    def action_view_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("id", "in", self.return_picking_ids.ids)]
        action["context"] = {}
        return action
