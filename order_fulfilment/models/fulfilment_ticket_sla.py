"""After-sales tickets: the SLA (R4.1, R4.3). Deadlines in the company's service time (assign,
contact, and resolve from the resolution target of the ticket's type and priority), the SLA
state over the three, the pause while waiting for the customer, the pass that refreshes due
tickets and escalates each breached deadline once."""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.escalation import notify_escalation
from ..tools.orm import run_batches
from ..tools.sla import (
    AT_RISK_SHARE,
    add_service_minutes,
    evaluate_sla,
    next_sla_check,
    service_time,
    shift_deadline,
)
from .fulfilment_ticket import OPEN_STATES, SLA_STATES

# Working time looked ahead when counting SLA minutes in the company calendar.
CALENDAR_LOOKAHEAD = timedelta(days=60)
# Calendar days read per hour of the longest target: a working week has a quarter of its hours.
LOOKAHEAD_DAYS_PER_HOUR = 0.25
# The states a ticket may wait for the customer from, and go back to.
WAIT_FROM_STATES = ("assigned", "in_progress")
# (deadline, warning date, date the event happened, escalated flag) of each SLA target.
SLA_TARGETS = (
    ("assign_deadline", "assign_warning_date", "assigned_date", "assign_escalated"),
    ("contact_deadline", "contact_warning_date", "first_contact_date", "contact_escalated"),
    ("resolve_deadline", "resolve_warning_date", "resolved_date", "resolve_escalated"),
)


class FulfilmentTicket(models.Model):
    _inherit = "fulfilment.ticket"

    assign_deadline = fields.Datetime(readonly=True, copy=False, index=True)
    contact_deadline = fields.Datetime(readonly=True, copy=False, index=True)
    assign_warning_date = fields.Datetime(readonly=True, copy=False)
    contact_warning_date = fields.Datetime(readonly=True, copy=False)
    sla_state = fields.Selection(
        SLA_STATES,
        "SLA",
        default="on_track",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        help="Met: assigned, the customer contacted and, when a resolution target applies, resolved, "
        "each before its deadline. Breached: one of them late. Breach Risk: less than a fifth of "
        "the time of a pending one left. Time waiting for the customer does not count.",
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
    resolve_deadline = fields.Datetime(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The resolution target of the ticket's type and priority, counted from its opening; "
        "time waiting for the customer does not count.",
    )
    resolve_warning_date = fields.Datetime(readonly=True, copy=False)
    resolve_escalated = fields.Boolean(readonly=True, copy=False)
    sla_paused_since = fields.Datetime(
        "Waiting Since",
        readonly=True,
        copy=False,
        help="While the ticket waits for the customer its SLA clock stands still.",
    )
    sla_paused_minutes = fields.Integer(
        "Paused (Minutes)",
        readonly=True,
        copy=False,
        help="Service time spent waiting for the customer: the pending deadlines moved by it.",
    )
    sla_resume_state = fields.Selection(
        [("assigned", "Assigned"), ("in_progress", "In Progress")],
        "Resume To",
        readonly=True,
        copy=False,
        help="The state the ticket goes back to when the customer answers.",
    )
    next_deadline = fields.Datetime(
        compute="_compute_next_deadline", store=True, help="The earliest deadline whose event is still due."
    )
    sla_remaining_label = fields.Char("Time Left", compute="_compute_sla_remaining")
    sla_remaining_minutes = fields.Integer("Minutes Left", compute="_compute_sla_remaining")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _sla_targets(self):
        """The SLA targets the ticket has: assign, contact, and resolve when a resolution target
        applied to it (SLA_TARGETS rows)."""
        self.ensure_one()
        return [target for target in SLA_TARGETS if self[target[0]]]

    def _sla_events(self):
        """(warning, deadline, done date, escalated) of each of the ticket's SLA targets."""
        self.ensure_one()
        return [
            (self[warning], self[deadline], self[done], self[flag])
            for deadline, warning, done, flag in self._sla_targets()
        ]

    @api.depends("state", "sla_checked_at", *(name for target in SLA_TARGETS for name in target))
    def _compute_sla_next_check(self):
        for ticket in self:
            # Waiting for the customer: nothing can change until the clock runs again, and the
            # pass (which reads only due tickets) never sees the ticket.
            if (
                ticket.state in ("cancelled", "waiting")
                or not ticket.sla_checked_at
                or not ticket.assign_deadline
            ):
                ticket.sla_next_check = False
                continue
            ticket.sla_next_check = next_sla_check(ticket.sla_checked_at, ticket._sla_events()) or False

    @api.depends(
        "state",
        "assign_deadline",
        "contact_deadline",
        "resolve_deadline",
        "assigned_date",
        "first_contact_date",
        "resolved_date",
    )
    def _compute_next_deadline(self):
        for ticket in self:
            due = []
            # While waiting for the customer no deadline runs: they move when the clock restarts.
            if ticket.state in OPEN_STATES and ticket.state != "waiting":
                due = [
                    ticket[deadline]
                    for deadline, _warning, done, _flag in SLA_TARGETS
                    if ticket[deadline] and not ticket[done]
                ]
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
    def _sla_intervals(self, company, start, stop):
        """The company's working intervals from ``start`` to ``stop`` when it counts the SLA in
        working hours (one read of its calendar: attendances and public holidays), else None
        (the wall clock)."""
        if not company.fulfilment_sla_use_calendar:
            return None
        return company._fulfilment_work_intervals(start, stop)

    def _set_deadlines(self, targets=("assign", "contact", "resolve")):
        """Deadlines from the opening moment and the company's service times: assign and contact
        from the company settings, resolve from the resolution target (``fulfilment.sla.policy``)
        of the ticket's type and priority, moved by the time already spent waiting for the
        customer. A ticket whose type and priority have no active target gets no resolve deadline.

        :param targets: the deadlines to set
        """
        by_company = defaultdict(lambda: self.browse())
        for ticket in self:
            by_company[ticket.company_id] |= ticket
        for company, tickets in by_company.items():
            resolve_hours = {}
            if "resolve" in targets:
                resolve_hours = self.env["fulfilment.sla.policy"]._resolve_hours_by_key(company)
            longest = max([*resolve_hours.values(), 0.0])
            opened = tickets.mapped("opened_date")
            # One read of the calendar per company, not per ticket.
            paused = max(tickets.mapped("sla_paused_minutes"))
            intervals = self._sla_intervals(
                company,
                min(opened),
                max(opened)
                + CALENDAR_LOOKAHEAD
                + timedelta(days=(longest + paused / 60) * LOOKAHEAD_DAYS_PER_HOUR),
            )
            response_minutes = {
                "assign": company.aftersales_assign_minutes,
                "contact": company.aftersales_contact_minutes,
            }
            values = defaultdict(list)
            for ticket in tickets:
                start = ticket.opened_date

                def deadline(minutes, start=start, intervals=intervals):
                    moment = add_service_minutes(start, minutes, intervals)
                    # A calendar without enough working time falls back to the wall clock.
                    return moment or add_service_minutes(start, minutes)

                vals = {}
                for target in targets:
                    if target == "resolve":
                        hours = resolve_hours.get((ticket.ticket_type, ticket.priority))
                        if not hours:
                            vals.update(resolve_deadline=False, resolve_warning_date=False)
                            continue
                        # The pauses already taken count out of the resolution time.
                        total, paused = hours * 60, ticket.sla_paused_minutes
                    else:
                        total, paused = response_minutes[target], 0
                    vals[f"{target}_deadline"] = deadline(total + paused)
                    vals[f"{target}_warning_date"] = deadline(total * (1 - AT_RISK_SHARE) + paused)
                values[tuple(sorted(vals.items()))].append(ticket.id)
            for key, ids in values.items():
                self.browse(ids).sudo().write(dict(key))

    def _sla_refresh(self, now, escalate=False):
        """Recompute the SLA state at ``now``, grouped writes; escalate new breaches.

        A ticket waiting for the customer is judged at the moment its clock stopped: its state
        neither worsens nor improves while it waits.
        """
        groups = defaultdict(list)
        to_escalate = []
        for ticket in self:
            vals = {"sla_checked_at": now}
            if ticket.state != "cancelled" and ticket.assign_deadline:
                moment = now
                if ticket.state == "waiting" and ticket.sla_paused_since:
                    moment = min(now, ticket.sla_paused_since)
                targets = ticket._sla_targets()
                events = ticket._sla_events()
                sla_state, breached = evaluate_sla(moment, [event[:3] for event in events])
                vals["sla_state"] = sla_state
                if escalate:
                    new_breaches = []
                    for target, is_breached, event in zip(targets, breached, events, strict=True):
                        if is_breached and not event[3]:
                            vals[target[3]] = True
                            new_breaches.append(target[3])
                    if new_breaches:
                        to_escalate.append((ticket, new_breaches))
            groups[tuple(sorted(vals.items()))].append(ticket.id)
        for key, ids in groups.items():
            self.browse(ids).sudo().write(dict(key))
        if to_escalate:
            self._escalate(to_escalate)

    def write(self, vals):
        res = super().write(vals)
        if "ticket_type" in vals or "priority" in vals:
            # Another type or priority: the resolution target of the new one, counted from the
            # opening as always, for the tickets not yet resolved.
            pending = self.filtered(lambda t: t.state in OPEN_STATES and t.assign_deadline)
            if pending:
                pending._set_deadlines(targets=("resolve",))
                pending._sla_refresh(fields.Datetime.now())
        return res

    # ------------------------------------------------------------------
    # Waiting for the customer (等待客户): the SLA clock stops
    # ------------------------------------------------------------------
    def action_wait_customer(self):
        """Wait for the customer's answer: the SLA clock stops until ``action_resume``.

        From assigned or in progress; a ticket already waiting is left as it is (a second click,
        or two agents at once: the row lock makes the second see the first's result).
        """
        self._check_agent()
        self._lock()
        tickets = self.filtered(lambda t: t.state != "waiting")
        tickets._check_state(WAIT_FROM_STATES, self.env._("set to wait for the customer (assign it first)"))
        if not tickets:
            return True
        now = fields.Datetime.now()
        # The SLA state at the moment the clock stops: it stays so while the ticket waits.
        tickets._sla_refresh(now)
        for state in WAIT_FROM_STATES:
            tickets.filtered(lambda t, state=state: t.state == state).sudo().write(
                {"state": "waiting", "sla_resume_state": state, "sla_paused_since": now}
            )
        tickets._fulfilment_log(
            lambda ticket: ticket.env._("Waiting for the customer: the SLA clock is stopped.")
        )
        return True

    def action_resume(self):
        """The customer answered: the ticket goes back to the state it waited from, and its
        pending deadlines move by the time it waited (service time when the company counts
        working hours). A ticket no longer waiting is left as it is."""
        self._check_agent()
        self._lock()
        tickets = self.filtered(lambda t: t.state != "waiting")
        tickets._check_state(WAIT_FROM_STATES, self.env._("resumed (it is not waiting for the customer)"))
        (self - tickets)._sla_end_pause(fields.Datetime.now())
        return True

    def _sla_customer_answered(self):
        """The customer wrote (an e-mail, a message on the portal): the tickets waiting for them run
        again, as with *Customer Answered*. Called by the messages' hook (``fulfilment_ticket_mail.py``)
        as the superuser: the customer does not work on tickets."""
        self._lock()
        waiting = self.filtered(lambda t: t.state == "waiting")
        if waiting:
            waiting._sla_end_pause(fields.Datetime.now())
        return True

    def _sla_end_pause(self, now):
        """Restart the clock of waiting tickets at ``now`` (their rows locked by the caller): move
        their pending deadlines by the paused time, restore their state, refresh their SLA."""
        by_company = defaultdict(lambda: self.browse())
        for ticket in self:
            by_company[ticket.company_id] |= ticket
        values = defaultdict(list)
        paused_by_ticket = {}
        for company, tickets in by_company.items():
            since = min(tickets.mapped("sla_paused_since"))
            pending = [
                ticket[deadline]
                for ticket in tickets
                for deadline, _warning, done, _flag in SLA_TARGETS
                if ticket[deadline] and not ticket[done]
            ]
            # One read of the calendar per company: the pauses, then time enough after the deadlines.
            intervals = self._sla_intervals(
                company, min([since, *pending]), max([now, *pending]) + (now - since) + CALENDAR_LOOKAHEAD
            )
            for ticket in tickets:
                start = ticket.sla_paused_since or now
                paused = service_time(start, now, intervals)
                vals = {
                    "state": ticket.sla_resume_state or "assigned",
                    "sla_resume_state": False,
                    "sla_paused_since": False,
                    "sla_paused_minutes": ticket.sla_paused_minutes + round(paused.total_seconds() / 60),
                }
                for deadline, warning, done, _flag in SLA_TARGETS:
                    # Only the deadlines still running when the clock stopped: a breach stays one.
                    if not ticket[deadline] or ticket[done] or ticket[deadline] <= start:
                        continue
                    for fname in (deadline, warning):
                        moved = shift_deadline(ticket[fname], paused, intervals)
                        # A calendar without enough working time falls back to the wall clock.
                        vals[fname] = moved or shift_deadline(ticket[fname], now - start)
                paused_by_ticket[ticket.id] = vals["sla_paused_minutes"] - ticket.sla_paused_minutes
                values[tuple(sorted(vals.items()))].append(ticket.id)
        for key, ids in values.items():
            self.browse(ids).sudo().write(dict(key))
        self._sla_refresh(now)
        self._fulfilment_log(
            lambda ticket: ticket.env._(
                "The customer answered: the SLA clock runs again. Waited %(minutes)s minutes of "
                "service time; the pending deadlines moved by as much.",
                minutes=paused_by_ticket[ticket.id],
            )
        )

    def action_resolve(self):
        # A ticket resolved while it waits (the customer's answer solved it) stops waiting first.
        self._check_agent()
        self._lock()
        self.filtered(lambda t: t.state == "waiting")._sla_end_pause(fields.Datetime.now())
        res = super().action_resolve()
        self._sla_refresh(fields.Datetime.now())
        return res

    def action_cancel(self):
        self._check_agent()
        self._lock()
        self.filtered(lambda t: t.state == "waiting")._sla_end_pause(fields.Datetime.now())
        return super().action_cancel()

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
                "resolve_escalated": ticket.env._("resolution deadline"),
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
            tickets = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
            tickets._sla_refresh(now, escalate=True)
            tickets.flush_recordset()
            tickets.invalidate_recordset()
            return len(tickets), len(tickets) == limit

        return run_batches(self.env, batch, batch_size)
