from odoo import api, fields, models
from odoo.exceptions import ValidationError


class FulfilmentReviewRule(models.Model):
    """The reminder ladder of a rule's reviews (催办): remind the reviewers every few working
    hours, a few times, then escalate once."""

    _inherit = "fulfilment.review.rule"

    reminder_hours = fields.Float(
        "Remind Every (Working Hours)",
        default=0.0,
        aggregator=None,
        help="Remind the reviewers of a pending review after this many working hours of the "
        "company's calendar, and again every as many hours. 0: no reminders; the review is then "
        "escalated after the response time.",
    )
    reminder_max = fields.Integer(
        "Reminders at Most",
        default=2,
        aggregator=None,
        help="How many reminders at most. One reminder interval after the last one, the review is "
        "escalated: this is its deadline.",
    )
    escalation_group_id = fields.Many2one(
        "res.groups",
        "Escalate To",
        ondelete="restrict",
        help="Who is told when the review is still pending at its deadline (e.g. the general "
        "manager). Empty: the fulfilment managers.",
    )

    _sql_constraints = [
        (
            "reminder_hours_positive",
            "CHECK(reminder_hours >= 0)",
            "The reminder interval of a review rule cannot be negative.",
        ),
        (
            "reminder_max_positive",
            "CHECK(reminder_max >= 0)",
            "The number of reminders of a review rule cannot be negative.",
        ),
    ]

    def _ladder_hours(self):
        """Working hours from the opening of a review to its deadline (its escalation): one
        interval after the last reminder. None when the rule has no reminders."""
        self.ensure_one()
        if not self.reminder_hours:
            return None
        return self.reminder_hours * (self.reminder_max + 1)

    @api.constrains("reminder_hours", "reminder_max")
    def _check_reminder_ladder(self):
        for rule in self:
            # A ladder longer than a working year is a typo (hours for minutes, an extra zero).
            if (rule._ladder_hours() or 0) > 2000:
                raise ValidationError(
                    self.env._(
                        "Review rule %(rule)s: %(count)s reminders every %(hours)s working hours "
                        "is more than a working year. "
                        "Shorten the interval or remind fewer times.",
                        rule=rule.display_name,
                        count=rule.reminder_max,
                        hours=rule.reminder_hours,
                    )
                )
