"""After-sales resolution targets: how long a ticket of each type and priority may take to be
resolved, per company (R4.3: each request is tracked to its resolution).

The target is read when a ticket opens (or when its type or priority changes while it is open),
in the company's service time (working hours when the company counts them). Changing a policy
applies to the tickets opened afterwards: open tickets keep the deadline they were given.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .fulfilment_ticket import TICKET_TYPES

PRIORITIES = [("0", "Normal"), ("1", "Urgent")]
# A year of working time: a longer target is a typing error.
MAX_RESOLVE_HOURS = 2000
# The set each company starts with, in hours of service time: {ticket type: (normal, urgent)}.
DEFAULT_RESOLVE_HOURS = {
    "complaint": (40, 16),
    "return": (40, 24),
    "exchange": (40, 24),
    "repair": (80, 40),
    "installation": (40, 24),
    "damage": (40, 16),
    "missing": (24, 8),
    "inquiry": (16, 8),
}


class FulfilmentSlaPolicy(models.Model):
    _name = "fulfilment.sla.policy"
    _description = "After-sales Resolution Target"
    _order = "company_id, ticket_type, priority"
    _check_company_auto = True

    ticket_type = fields.Selection(TICKET_TYPES, required=True)
    priority = fields.Selection(PRIORITIES, required=True, default="0")
    resolve_hours = fields.Float(
        "Resolve Within (Hours)",
        required=True,
        default=40.0,
        help="Hours from the opening of a ticket to its resolution: working hours of the company "
        "calendar when the company counts the SLA in working hours, else hours of the clock. "
        "Time waiting for the customer does not count.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    active = fields.Boolean(default=True)

    @api.depends("ticket_type", "priority", "resolve_hours")
    def _compute_display_name(self):
        types = dict(self._fields["ticket_type"]._description_selection(self.env))
        priorities = dict(self._fields["priority"]._description_selection(self.env))
        for policy in self:
            hours = policy.resolve_hours
            policy.display_name = self.env._(
                "%(type)s, %(priority)s: %(hours)s h",
                type=types.get(policy.ticket_type, ""),
                priority=priorities.get(policy.priority, ""),
                hours=int(hours) if hours == int(hours) else round(hours, 2),
            )

    @api.constrains("resolve_hours")
    def _check_resolve_hours(self):
        for policy in self:
            if not 0 < policy.resolve_hours <= MAX_RESOLVE_HOURS:
                raise ValidationError(
                    self.env._(
                        "Resolution target %(policy)s: the hours to resolve must be more than 0 and at "
                        "most %(max)s.",
                        policy=policy.display_name,
                        max=MAX_RESOLVE_HOURS,
                    )
                )

    @api.constrains("ticket_type", "priority", "company_id", "active")
    def _check_unique(self):
        active = self.filtered("active")
        if not active:
            return
        # Every policy of those companies, whoever saves (record rules aside).
        others = self.sudo().search(
            [
                ("company_id", "in", active.company_id.ids),
                ("ticket_type", "in", active.mapped("ticket_type")),
                ("priority", "in", active.mapped("priority")),
            ]
        )
        for policy in active:
            twin = others.filtered(
                lambda p, policy=policy: (
                    p != policy
                    and (p.company_id, p.ticket_type, p.priority)
                    == (policy.company_id, policy.ticket_type, policy.priority)
                )
            )
            if twin:
                raise ValidationError(
                    self.env._(
                        "%(company)s already has a resolution target for %(policy)s: change that one "
                        "or archive it first.",
                        company=policy.company_id.display_name,
                        policy=twin[0].display_name,
                    )
                )

    @api.model
    def _resolve_hours_by_key(self, company):
        """{(ticket type, priority): hours} of the company's active policies (one query)."""
        policies = self.sudo().search([("company_id", "=", company.id)])
        return {(policy.ticket_type, policy.priority): policy.resolve_hours for policy in policies}

    @api.model
    def _create_company_defaults(self, companies=None):
        """The default targets of the companies that have none yet, archived ones included (all
        companies when called on none, at install and update): an admin's edits and archives stay."""
        companies = companies or self.env["res.company"].search([])
        Policy = self.sudo().with_context(active_test=False)
        have = set(Policy.search([("company_id", "in", companies.ids)]).company_id.ids)
        Policy.create(
            [
                {
                    "company_id": company.id,
                    "ticket_type": ticket_type,
                    "priority": priority,
                    "resolve_hours": hours,
                }
                for company in companies
                if company.id not in have
                for ticket_type, by_priority in DEFAULT_RESOLVE_HOURS.items()
                for (priority, _label), hours in zip(PRIORITIES, by_priority, strict=True)
            ]
        )


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["fulfilment.sla.policy"]._create_company_defaults(companies)
        return companies
