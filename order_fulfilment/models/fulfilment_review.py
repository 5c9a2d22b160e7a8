from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from ..tools.escalation import escalate_once
from ..tools.translations import set_translations

REVIEW_STATES = [
    ("waiting", "Waiting"),
    ("pending", "To Review"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]


class FulfilmentReview(models.Model):
    """One sign-off of one department on one record of a model that uses the review engine
    (``fulfilment.review.mixin``): a quotation, a change request...

    Reviews are created and changed only through the methods of this model and of
    `fulfilment.review.mixin`; users may only write their comment on a review they can decide.

    This file holds the sign-off itself: its fields, who may look at deciding it, the self-review
    ban, the steps, the reviewers told (activities) and escalation. Who may decide and the
    decisions are in ``fulfilment_review_decision.py``, forwarding in ``fulfilment_review_forward.py``.
    """

    _name = "fulfilment.review"
    _description = "Review Sign-off"
    _order = "order_id desc, sequence, id"
    _rec_name = "department"

    res_model = fields.Char("Reviewed Model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(
        "Reviewed Record", model_field="res_model", required=True, readonly=True, index=True
    )
    order_id = fields.Many2one(
        "sale.order",
        readonly=True,
        index=True,
        ondelete="cascade",
        help="The sale order the reviewed record belongs to, if any.",
    )
    company_id = fields.Many2one("res.company", compute="_compute_company_id", store=True, index=True)
    rule_id = fields.Many2one("fulfilment.review.rule", readonly=True, ondelete="set null")
    group_id = fields.Many2one("res.groups", "Reviewer Group", required=True, readonly=True)
    department = fields.Char(
        compute="_compute_department",
        store=True,
        translate=True,
        help="The department that signs: the label of the rule, or the name of the group.",
    )
    sequence = fields.Integer("Step", readonly=True)
    round = fields.Integer(readonly=True, help="Each request of a review opens a new round.")
    state = fields.Selection(REVIEW_STATES, default="waiting", required=True, readonly=True, index=True)
    reason_data = fields.Json(
        readonly=True, help="Why this review is required, as data, shown in the language of the reader."
    )
    reason = fields.Text(compute="_compute_reason", help="Why this review is required.")
    requested_by_id = fields.Many2one("res.users", readonly=True)
    request_date = fields.Datetime(readonly=True)
    deadline = fields.Datetime(readonly=True, index=True)
    reviewer_id = fields.Many2one("res.users", readonly=True)
    on_behalf_of_id = fields.Many2one(
        "res.users", readonly=True, help="The absent reviewer, when their substitute decided."
    )
    decision_date = fields.Datetime(readonly=True)
    comment = fields.Text()
    # Several approvers (审批人): the sign-off is approved when the last one needed approves.
    min_approvers = fields.Integer(
        "Approvers Needed",
        default=1,
        readonly=True,
        help="How many different members of the department must approve: the rule's number when the "
        "review was requested.",
    )
    approval_count = fields.Integer("Approvals", default=0, readonly=True)
    approval_ids = fields.One2many("fulfilment.review.approval", "review_id", "Approval Log", readonly=True)
    approver_ids = fields.Many2many(
        "res.users",
        "fulfilment_review_approver_rel",
        "review_id",
        "user_id",
        string="Approvers",
        compute="_compute_approver_ids",
        store=True,
        help="Everyone who approved this sign-off.",
    )
    approval_progress = fields.Char("Approved", compute="_compute_approval_progress")
    signed_by = fields.Text(
        compute="_compute_signed_by", help="Who decided, and for whom when a substitute decided."
    )
    # Forwarding (转交): named users who may decide this review besides its department.
    forward_user_ids = fields.Many2many(
        "res.users",
        "fulfilment_review_forward_user_rel",
        "review_id",
        "user_id",
        string="Forwarded To",
        readonly=True,
        help="Users this review was forwarded to: they may decide it, even outside the department.",
    )
    forwarded = fields.Boolean(compute="_compute_forwarded", store=True)
    substitute_user_ids = fields.Many2many(
        "res.users",
        string="Substitutes",
        compute="_compute_substitute_user_ids",
        search="_search_substitute_user_ids",
        help="Who stands in now for a member of the department or a user the review was forwarded to.",
    )
    can_forward = fields.Boolean(compute="_compute_can_forward")
    escalated = fields.Boolean(readonly=True, copy=False)
    can_decide = fields.Boolean(compute="_compute_can_decide", search="_search_can_decide")
    cannot_decide_reason = fields.Text(
        "Why Not Yours", compute="_compute_can_decide", help="Why you cannot approve or reject this review."
    )
    is_overdue = fields.Boolean("Overdue", compute="_compute_is_overdue", search="_search_is_overdue")
    record_name = fields.Char("Document", compute="_compute_record_name")

    # ------------------------------------------------------------------
    # Computed
    # ------------------------------------------------------------------
    @api.depends("rule_id.department_label", "group_id.name")
    def _compute_department(self):
        set_translations(
            self, "department", lambda review: review.rule_id.department_label or review.group_id.name
        )

    @api.depends("reason_data")
    @api.depends_context("lang")
    def _compute_reason(self):
        reasons = self.env["fulfilment.review.rule"]._render_reason_lists(self.mapped("reason_data"))
        for review, texts in zip(self, reasons, strict=True):
            review.reason = "; ".join(texts) or False

    @api.depends("res_model", "res_id")
    def _compute_company_id(self):
        for model, records in self._reviewed_records().items():
            companies = {record.id: record.company_id for record in records.sudo()}
            for review in self.filtered(lambda r, model=model: r.res_model == model):
                review.company_id = companies.get(review.res_id, False)

    @api.depends("approval_ids.user_id")
    def _compute_approver_ids(self):
        for review in self:
            review.approver_ids = review.approval_ids.user_id

    @api.depends("approval_count", "min_approvers")
    def _compute_approval_progress(self):
        for review in self:
            review.approval_progress = self.env._(
                "%(count)s of %(required)s", count=review.approval_count, required=review.min_approvers or 1
            )

    @api.depends("state", "reviewer_id", "on_behalf_of_id", "approval_ids")
    @api.depends_context("lang")
    def _compute_signed_by(self):
        for review in self:
            lines = review.approval_ids.mapped("approved_by")
            if review.state == "rejected" and review.reviewer_id:
                rejected = self._signer_label(review.reviewer_id, review.on_behalf_of_id)
                if lines:
                    lines = [
                        self.env._("Rejected: %(signer)s", signer=rejected),
                        self.env._("Approved before: %(signers)s", signers=", ".join(lines)),
                    ]
                else:
                    lines = [rejected]
            elif not lines and review.reviewer_id:
                lines = [self._signer_label(review.reviewer_id, review.on_behalf_of_id)]
            review.signed_by = "\n".join(lines) or False

    @api.model
    def _signer_label(self, user, on_behalf_of=None):
        """ "Ann", or "Ann for Bob" when Ann decided as Bob's substitute."""
        if on_behalf_of:
            return self.env._(
                "%(user)s for %(absent)s", user=user.sudo().name, absent=on_behalf_of.sudo().name
            )
        return user.sudo().name

    @api.depends("forward_user_ids")
    def _compute_forwarded(self):
        for review in self:
            review.forwarded = bool(review.forward_user_ids)

    @api.depends("group_id", "company_id", "forward_user_ids")
    def _compute_substitute_user_ids(self):
        # Also invalidated by every change of a delegation; evaluated in Python by the record
        # rules' check of a record (the search gives the same reviews in SQL).
        substitutes = self.env["fulfilment.review.delegation"]._substitutes()
        for review in self:
            people = review.sudo().group_id.users | review.sudo().forward_user_ids
            review.substitute_user_ids = self.env["res.users"].browse(
                sorted(
                    {
                        substitutes[person.id, review.company_id.id]
                        for person in people
                        if (person.id, review.company_id.id) in substitutes
                    }
                )
            )

    def _search_substitute_user_ids(self, operator, value):
        """The reviews that the given users may decide as substitutes, now (record rules)."""
        if operator not in ("in", "="):
            raise UserError(self.env._("Unsupported search on 'Substitutes'."))
        user_ids = [value] if isinstance(value, int) else list(value or ())
        domains = [
            self._reach_domain(self.env["res.users"].browse(user_id), own=False)
            for user_id in user_ids
            if isinstance(user_id, int)
        ]
        return expression.OR(domains) if domains else expression.FALSE_DOMAIN

    @api.depends(
        "state",
        "group_id",
        "rule_id.allow_self_review",
        "requested_by_id",
        "forward_user_ids",
        "approval_count",
        "min_approvers",
    )
    @api.depends_context("uid")
    def _compute_can_decide(self):
        reasons = self._cannot_decide_reasons(self.env.user)
        for review in self:
            reason = reasons.get(review.id)
            review.can_decide = not reason
            review.cannot_decide_reason = reason or False

    @api.depends("can_decide", "rule_id.allow_forward")
    @api.depends_context("uid")
    def _compute_can_forward(self):
        for review in self:
            review.can_forward = review.can_decide and (not review.rule_id or review.rule_id.allow_forward)

    def _search_can_decide(self, operator, value):
        """The reviews whose ``can_decide`` is True for the current user: the pending reviews in
        the user's reach (their departments, the reviews forwarded to them, those of the people
        they stand in for), less those ``_decision_rights`` refuses (same rules as the compute)."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'Can Decide'."))
        user = self.env.user
        candidates = self.sudo().search([("state", "=", "pending")] + self._reach_domain(user))
        acting, _refusals = candidates._decision_rights(user)
        ids = [review_id for review_id in candidates.ids if review_id in acting]
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", ids)]

    @api.model
    def _reach_domain(self, user, own=True):
        """The reviews ``user`` may look at deciding: those of their departments and forwarded to
        them (``own``), and those of the users they stand in for now, in the delegation's company."""
        domains = []
        if own:
            domains += [[("group_id", "in", user.groups_id.ids)], [("forward_user_ids", "in", user.ids)]]
        for company_id, absent in self.env["fulfilment.review.delegation"]._absent_users(user).items():
            domains.append(
                [
                    ("company_id", "=", company_id),
                    "|",
                    ("group_id", "in", absent.sudo().groups_id.ids),
                    ("forward_user_ids", "in", absent.ids),
                ]
            )
        return expression.OR(domains) if domains else expression.FALSE_DOMAIN

    @api.depends("deadline", "state")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for review in self:
            review.is_overdue = review.state == "pending" and review.deadline and review.deadline < now

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'Overdue'."))
        domain = [("state", "=", "pending"), ("deadline", "<", fields.Datetime.now())]
        positive = (operator == "=") == value
        return domain if positive else expression.distribute_not(["!"] + domain)

    def _compute_record_name(self):
        for review in self:
            record = review._reviewed_record()
            review.record_name = record.sudo().display_name if record else False

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _reviewed_record(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return None
        return self.env[self.res_model].browse(self.res_id).exists()

    def _reviewed_records(self):
        """{model name: records} of the reviews in self (models still installed)."""
        ids_by_model = {}
        for review in self:
            if review.res_model in self.env:
                ids_by_model.setdefault(review.res_model, set()).add(review.res_id)
        return {model: self.env[model].browse(sorted(ids)) for model, ids in ids_by_model.items()}

    def _self_review_users(self):
        """{review id: the users who may not sign it unless its rule allows it}: its requester
        and the users the reviewed record names (``_review_self_review_users``)."""
        by_record = {}
        for model, records in self.sudo()._reviewed_records().items():
            for record_id, users in records.exists()._review_self_review_users().items():
                by_record[model, record_id] = users
        return {
            review.id: review.requested_by_id
            | by_record.get((review.res_model, review.res_id), review.requested_by_id)
            for review in self.sudo()
        }

    def _self_review_banned_users(self):
        """{review id: (the users who may not sign it, {substitute id: the banned users they
        stand in for now})}: the self-review ban covers the substitutes of the banned users too."""
        users = self._self_review_users()
        substitutes = self.env["fulfilment.review.delegation"]._substitutes()
        result = {}
        for review in self.sudo():
            stood_in_for = {}
            for banned in users[review.id]:
                substitute_id = substitutes.get((banned.id, review.company_id.id))
                if substitute_id:
                    stood_in_for[substitute_id] = stood_in_for.get(substitute_id, banned.browse()) | banned
            result[review.id] = (users[review.id], stood_in_for)
        return result

    def _self_review_refused(self, user):
        """The order's salesperson and the requester may not sign, unless the rule allows it."""
        self.ensure_one()
        return self.id in self._self_review_refused_ids(user)

    def _self_review_refused_ids(self, user):
        """Ids of the reviews in self that ``user`` may not sign (``_self_review_users`` and
        their substitutes) when their rule does not allow self-review. Reads every review at once."""
        refused = self.sudo().filtered(lambda r: not r.rule_id.allow_self_review)
        banned = refused._self_review_banned_users()
        return {
            review_id
            for review_id, (users, stood_in_for) in banned.items()
            if user in users or user.id in stood_in_for
        }

    def _lock_reviews(self):
        """Lock every review of the same records, so that concurrent decisions on one record
        are serialised: the second waits, then sees the first one's outcome."""
        if not self:
            return
        self.flush_model(["state", "res_model", "res_id"])
        self.env.cr.execute(
            """
            SELECT id FROM fulfilment_review
             WHERE (res_model, res_id) IN (SELECT res_model, res_id FROM fulfilment_review WHERE id IN %s)
               AND state IN ('waiting', 'pending')
             ORDER BY id
               FOR UPDATE
            """,
            [tuple(self.ids)],
            log_exceptions=False,  # a lock conflict is retried by Odoo, not an error to log
        )
        self.invalidate_model(
            [
                "state",
                "reviewer_id",
                "on_behalf_of_id",
                "decision_date",
                "comment",
                "approval_count",
                "approval_ids",
                "approver_ids",
                "forward_user_ids",
                "forwarded",
            ]
        )
        self.env["fulfilment.review.approval"].invalidate_model()

    def _dialog_action(self, res_model, title):
        """The window action of the dialog ``res_model`` (a wizard) on these reviews."""
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": res_model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_review_ids": self.ids},
        }

    # ------------------------------------------------------------------
    # Steps, activities, escalation
    # ------------------------------------------------------------------
    def _open(self, now=None):
        """Make these waiting reviews pending: set their deadline and notify the reviewers."""
        now = now or fields.Datetime.now()
        for hours, reviews in self.grouped(lambda r: r.rule_id.response_hours or 24.0).items():
            reviews.sudo().write({"state": "pending", "deadline": now + timedelta(hours=hours)})
        self._create_activities()

    def _recipients(self, users_by_review=None):
        """{review id: {user: the absent user they stand in for, or an empty recordset}}: who is
        told that each review waits for them: the members of its department and the users it
        was forwarded to (or the users of ``users_by_review``: {review id: users}) who may sign
        it, working for its company; an absent user's substitute in their place."""
        banned_by_review = self._self_review_banned_users()
        substitutes = self.env["fulfilment.review.delegation"]._substitutes()
        Users = self.env["res.users"].sudo()
        signers = {}  # (user id, company id): an active internal user of the company
        group_users = {}
        # Reviews of one department, company and ban share their recipients: a pass over
        # thousands of reviews works them out once per distinct case (the dicts are read-only).
        by_case = {}
        result = {}
        for review in self.sudo():
            company = review.company_id
            refused, stood_in_for = banned_by_review[review.id]
            if review.rule_id.allow_self_review:
                refused, stood_in_for = Users, {}
            if users_by_review is None:
                if review.group_id.id not in group_users:
                    group_users[review.group_id.id] = review.group_id.users
                people = group_users[review.group_id.id] | review.forward_user_ids
            else:
                people = users_by_review.get(review.id, Users)
            case = (company.id, people._ids, refused._ids, frozenset(stood_in_for))
            if case not in by_case:

                def may_sign(user, company=company, refused=refused, stood_in_for=stood_in_for):
                    key = (user.id, company.id)
                    if key not in signers:
                        signers[key] = not user.share and user.active and company in user.company_ids
                    return signers[key] and user not in refused and user.id not in stood_in_for

                recipients = {}
                for person in people.filtered(may_sign):
                    substitute = Users.browse(substitutes.get((person.id, company.id)))
                    if substitute and may_sign(substitute):
                        recipients.setdefault(substitute, person)
                    else:
                        recipients.setdefault(person, Users)
                by_case[case] = recipients
            result[review.id] = by_case[case]
        return result

    def _notified_users(self):
        """{review id: res.users} told that the review waits for them (its activities, reminders
        and e-mails): see ``_recipients``."""
        Users = self.env["res.users"].sudo()
        return {review_id: Users.union(*recipients) for review_id, recipients in self._recipients().items()}

    def _create_activities(self, users_by_review=None, note=None):
        """The to-dos of these pending reviews: one per user of ``_recipients``."""
        activity_type = self.env.ref("order_fulfilment.mail_activity_type_review", raise_if_not_found=False)
        if not activity_type:
            return
        model_ids = {model: self.env["ir.model"]._get_id(model) for model in set(self.mapped("res_model"))}
        recipients_by_review = self._recipients(users_by_review)
        values = []
        for review in self:
            record = review._reviewed_record()
            if record is None:
                continue
            for user, absent in recipients_by_review[review.id].items():
                # In the reviewer's language.
                in_lang = review.with_context(lang=user.lang)
                summary = (
                    in_lang.env._(
                        "%(group)s review (for %(user)s)", group=in_lang.department, user=absent.name
                    )
                    if absent
                    else in_lang.env._("%(group)s review", group=in_lang.department)
                )
                values.append(
                    {
                        "activity_type_id": activity_type.id,
                        "res_model_id": model_ids[review.res_model],
                        "res_id": review.res_id,
                        "user_id": user.id,
                        "date_deadline": fields.Date.context_today(review, review.deadline),
                        "summary": summary,
                        "note": note or in_lang.reason,
                        "fulfilment_review_id": review.id,
                    }
                )
        if values:
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(values)

    def _remove_activities(self, users=None):
        """Remove the to-dos of these reviews: everyone's, or those of ``users``."""
        domain = [("fulfilment_review_id", "in", self.ids)]
        if users is not None:
            domain.append(("user_id", "in", users.ids))
        activities = self.env["mail.activity"].sudo().search(domain)
        activities.unlink()

    def _escalate_overdue(self, users=None):
        """Run by the automation rule "escalate overdue reviews": ``users`` (default: the
        fulfilment managers) are told once per overdue pending review (``escalate_once``)."""

        def overdue(review):
            return review.env._(
                "The %(group)s review is overdue since %(deadline)s.",
                group=review.department,
                deadline=fields.Datetime.to_string(review.deadline),
            )

        def record_of(review):
            return review._reviewed_record() or False

        escalate_once(
            self,
            "escalated",
            [("state", "=", "pending"), ("deadline", "<", fields.Datetime.now())],
            users if users is not None else self.env.ref("order_fulfilment.group_fulfilment_manager").users,
            overdue,
            lambda review: review.env._("Overdue review: %(group)s", group=review.department),
            activity_on=record_of,
            post_on=lambda review: record_of(review)._review_escalation_threads(),
        )

    # ------------------------------------------------------------------
    # Writes: only the comment, by someone who can decide
    # ------------------------------------------------------------------
    def write(self, vals):
        if not self.env.su:
            if set(vals) - {"comment"}:
                raise AccessError(
                    self.env._(
                        "Reviews change only through Approve and Reject; you can only write a comment."
                    )
                )
            for review in self:
                if review.state != "pending":
                    raise UserError(
                        self.env._(
                            "The %(group)s review of %(document)s is closed; its comment cannot change.",
                            group=review.department,
                            document=review.record_name,
                        )
                    )
            self._check_can_decide()
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Reviews are created by requesting a review on the document."))
        rules = self.env["fulfilment.review.rule"].browse(
            {vals["rule_id"] for vals in vals_list if vals.get("rule_id") and "min_approvers" not in vals}
        )
        approvers = {rule.id: rule.min_approvers for rule in rules.sudo()}
        vals_list = [
            dict(vals, min_approvers=approvers[vals["rule_id"]] or 1)
            if vals.get("rule_id") in approvers and "min_approvers" not in vals
            else vals
            for vals in vals_list
        ]
        return super().create(vals_list)

    def unlink(self):
        if not self.env.su:
            raise AccessError(self.env._("Reviews are kept with the document and cannot be deleted."))
        return super().unlink()

    def action_open_record(self):
        self.ensure_one()
        record = self._reviewed_record()
        if not record:
            raise UserError(self.env._("The document of this review no longer exists."))
        return record._review_open_action()
