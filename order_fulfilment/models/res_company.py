import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    fulfilment_cutoff_hour = fields.Float(
        "Order Cut-off Hour",
        default=17.25,
        help="Orders taken after this time of day (company timezone) are processed the next working day.",
    )
    fulfilment_rush_lead_days = fields.Integer(
        "Rush Lead Days", default=1, help="Working days from processing to delivery for rush orders."
    )
    fulfilment_standard_lead_days = fields.Integer(
        "Standard Lead Days", default=3, help="Working days from processing to delivery for regular orders."
    )
    fulfilment_commit_promise = fields.Boolean(
        "Commit to the Delivery Promise",
        help="On confirmation, an order without a delivery date takes the delivery promise as its "
        "commitment date, so that deliveries and manufacturing are planned for it.",
    )
    fulfilment_expedite_days = fields.Integer(
        "Expedite Window (Days)",
        default=2,
        help="Orders whose commitment date is this many days away or less, and that "
        "are not fully delivered, are followed up and flagged as at risk.",
    )
    fulfilment_change_response_minutes = fields.Integer(
        "Change Response Time (Minutes)",
        default=30,
        help="Time reviewers have to answer a change request before it is escalated.",
    )
    fulfilment_started_change_policy = fields.Selection(
        [("block", "Refuse the change"), ("re_review", "Ask production to review again")],
        "Changes After Production Started",
        default="block",
        required=True,
        help="What happens to a quantity or product change on an order line whose "
        "manufacturing has already started.",
    )
    fulfilment_sla_use_calendar = fields.Boolean(
        "Count SLA in Working Hours",
        help="Count after-sales deadlines only in the working hours of the company's resource calendar.",
    )
    aftersales_assign_minutes = fields.Integer(
        "After-sales Assign Time (Minutes)",
        default=60,
        help="A new after-sales ticket must be assigned to an agent within this time.",
    )
    aftersales_contact_minutes = fields.Integer(
        "After-sales Contact Time (Minutes)",
        default=120,
        help="The customer must be contacted within this time after the ticket is created.",
    )
    # Release and delivery controls
    fulfilment_require_short_consent = fields.Boolean(
        "Short Shipment Needs Consent",
        help="Refuse to validate a delivery with less than its demand unless the customer's "
        "consent is recorded on it.",
    )
    fulfilment_pod_days = fields.Integer(
        "Proof of Delivery Within (Days)",
        default=7,
        help="Deliveries done longer ago than this without a signed proof of delivery are "
        "listed as missing it, and the salesperson is reminded once.",
    )

    @api.constrains(
        "fulfilment_cutoff_hour",
        "fulfilment_rush_lead_days",
        "fulfilment_standard_lead_days",
        "fulfilment_expedite_days",
        "fulfilment_change_response_minutes",
        "aftersales_assign_minutes",
        "aftersales_contact_minutes",
    )
    def _check_fulfilment_settings(self):
        for company in self:
            lead_days = (
                company.fulfilment_rush_lead_days,
                company.fulfilment_standard_lead_days,
                company.fulfilment_expedite_days,
            )
            minutes = (
                company.fulfilment_change_response_minutes,
                company.aftersales_assign_minutes,
                company.aftersales_contact_minutes,
            )
            name = company.display_name
            if not 0 <= company.fulfilment_cutoff_hour < 24:
                error = self.env._(
                    "%(company)s: the order cut-off hour must be between 00:00 and 23:59.", company=name
                )
            elif company.fulfilment_rush_lead_days > company.fulfilment_standard_lead_days:
                error = self.env._(
                    "%(company)s: rush lead days cannot be more than standard lead days.", company=name
                )
            elif min(lead_days) < 0:
                error = self.env._(
                    "%(company)s: lead days and the expedite window cannot be negative.", company=name
                )
            elif min(minutes) <= 0:
                error = self.env._(
                    "%(company)s: response, assign and contact times must be at least one minute.",
                    company=name,
                )
            else:
                continue
            raise ValidationError(error)

    # ------------------------------------------------------------------
    # Working time, shared by the ticket SLA and the delivery promise
    # ------------------------------------------------------------------
    # On the company: the ticket and the order both hold one, and one rule serves them both.
    # ------------------------------------------------------------------
    # Per-company numbering: each company gets its own sequences when it is made (as stock does
    # for its warehouses), and the documents draw with ir.sequence.with_company().next_by_code().
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._fulfilment_create_sequences()
        return companies

    @api.model
    def _fulfilment_sequence_values(self):
        """{code: values} of the sequences each company has; the main company's come as data."""
        return {
            "fulfilment.ticket": {
                "name": self.env._("After-sales Ticket"),
                "prefix": "AS/%(year)s/",
                "padding": 5,
            },
        }

    def _fulfilment_create_sequences(self):
        """The companies' missing sequences (all companies when called on none, at install)."""
        companies = self or self.search([])
        Sequence = self.env["ir.sequence"].sudo()
        templates = self._fulfilment_sequence_values()
        existing = {
            (seq.code, seq.company_id.id)
            for seq in Sequence.search([("code", "in", list(templates)), ("company_id", "in", companies.ids)])
        }
        Sequence.create(
            [
                {**values, "code": code, "company_id": company.id}
                for company in companies
                for code, values in templates.items()
                if (code, company.id) not in existing
            ]
        )

    def _fulfilment_tz(self):
        """The time zone of the company's working time: the calendar's, else the company's, else UTC."""
        self.ensure_one()
        company = self.sudo()
        try:
            return pytz.timezone(company.resource_calendar_id.tz or company.partner_id.tz or "UTC")
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    def _fulfilment_work_intervals(self, start, stop):
        """The company's working time between ``start`` and ``stop`` (naive UTC), holidays out.

        Sorted, non-overlapping (begin, end) pairs in naive UTC, from the calendar's own planning
        (its attendances minus its public holidays), read in one go; None without a calendar.
        """
        self.ensure_one()
        # The company's working time is the same whoever asks (agents of other companies too).
        calendar = self.sudo().resource_calendar_id
        if not calendar:
            return None
        tz = self._fulfilment_tz()
        # Holidays of this calendar, or company-wide ones of this company: Odoo's default
        # domain would also count the calendar-less holidays of every other company.
        domain = [
            ("time_type", "=", "leave"),
            "|",
            ("calendar_id", "=", calendar.id),
            ("company_id", "=", self.id),
        ]
        intervals = calendar._work_intervals_batch(
            pytz.utc.localize(start), pytz.utc.localize(stop), tz=tz, domain=domain
        )[False]
        return [
            (begin.astimezone(pytz.utc).replace(tzinfo=None), end.astimezone(pytz.utc).replace(tzinfo=None))
            for begin, end, _meta in intervals
        ]

    # Release and delivery controls
    @api.constrains("fulfilment_pod_days")
    def _check_fulfilment_pod_days(self):
        for company in self:
            if company.fulfilment_pod_days < 0:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the days to receive the proof of delivery cannot be negative.",
                        company=company.display_name,
                    )
                )
