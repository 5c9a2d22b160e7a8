from odoo import api, fields, models
from odoo.exceptions import ValidationError


class FulfilmentReviewRule(models.Model):
    """How many approvers the sign-off of a rule needs, and whether its group has them."""

    _inherit = "fulfilment.review.rule"

    min_approvers = fields.Integer(
        "Approvers Needed",
        default=1,
        required=True,
        aggregator=None,
        help="How many different members of the group must approve (e.g. 2 of the finance team). "
        "One rejection rejects the sign-off.",
    )

    _sql_constraints = [
        (
            "min_approvers_positive",
            "CHECK(min_approvers >= 1)",
            "A review rule needs at least one approver.",
        ),
    ]

    @api.constrains("min_approvers")
    def _check_min_approvers(self):
        for rule in self:
            if rule.min_approvers < 1:
                raise ValidationError(
                    self.env._(
                        "Review rule %(rule)s: at least one approver is needed (Approvers Needed is 1 "
                        "or more).",
                        rule=rule.display_name,
                    )
                )

    @api.constrains("min_approvers", "group_id", "company_id", "active")
    def _check_min_approvers_members(self):
        """A sign-off that needs N approvers needs N people who can sign: active internal
        members of the group (of the rule's company, when it has one). A rule needing one
        approver may wait for its group to get members."""
        for rule in self.filtered(lambda r: r.active and r.min_approvers > 1):
            members = (
                rule.group_id.sudo()
                .with_context(active_test=True)
                .users.filtered(
                    lambda u, rule=rule: (
                        not u.share and u.active and (not rule.company_id or rule.company_id in u.company_ids)
                    )
                )
            )
            if len(members) < rule.min_approvers:
                raise ValidationError(
                    self.env._(
                        "Review rule %(rule)s needs %(needed)s approvers, but its group %(group)s has "
                        "only %(count)s active member(s) who can sign: lower Approvers Needed or add "
                        "members to the group.",
                        rule=rule.display_name,
                        needed=rule.min_approvers,
                        group=rule.group_id.sudo().full_name,
                        count=len(members),
                    )
                )
