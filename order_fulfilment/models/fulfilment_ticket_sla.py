"""After-sales tickets: the SLA (R4.1). Deadlines in the company's service time, the SLA state,
the pass that refreshes due tickets and escalates each breached deadline once."""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.escalation import notify_escalation
from ..tools.orm import run_batches
from ..tools.sla import AT_RISK_SHARE, add_service_minutes, evaluate_sla, next_sla_check
from .fulfilment_ticket import OPEN_STATES, SLA_STATES

# Working time looked ahead when counting SLA minutes in the company calendar.
CALENDAR_LOOKAHEAD = timedelta(days=60)


class FulfilmentTicket(models.Model):
    _inherit = "fulfilment.ticket"

    assign_deadline = fields.Datetime(readonly=True, copy=False, index=True)
    contact_deadline = fields.Datetime(readonly=True, copy=False, index=True)
    assign_warning_date = fields.Datetime(readonly=True, copy=False)
    contact_warning_date = fields.Datetime(readonly=True, copy=False)
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

    # ------------------------------------------------------------------
    # Deadlines, refresh, escalation
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
        """Tell the after-sales managers of breached deadlines: a note on each ticket (logged in one
        batch, no e-mail) and an activity for each manager of the ticket's company, in the manager's
        language. The deadlines were claimed by ``_sla_refresh`` (their flags written on rows the
        pass holds), so each is escalated once.

        :param breaches: list of (ticket, [flag of each deadline breached now])
        """
        flags_by_ticket = {ticket.id: flags for ticket, flags in breaches}

        def missed(ticket):
            """What was missed, in the language of the ticket's environment."""
            labels = {
                "assign_escalated": ticket.env._("assign deadline"),
                "contact_escalated": ticket.env._("contact deadline"),
            }
            return ", ".join(labels[flag] for flag in flags_by_ticket[ticket.id])

        def message(ticket):
            return ticket.env._(
                "Ticket %(ticket)s (%(customer)s) missed its %(what)s. Agent: %(agent)s.",
                ticket=ticket.name,
                customer=ticket.partner_id.display_name,
                what=missed(ticket),
                agent=ticket.user_id.name or ticket.env._("nobody assigned"),
            )

        def summary(ticket):
            return ticket.env._("SLA breached: %(what)s", what=missed(ticket))

        notify_escalation(
            self.browse(list(flags_by_ticket)),
            self.env.ref("order_fulfilment.group_aftersales_manager").sudo().users,
            message,
            summary,
            activity_type="order_fulfilment.mail_activity_type_ticket_escalation",
            notify_followers=False,
        )

    # ------------------------------------------------------------------
    # The SLA pass
    # ------------------------------------------------------------------
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
