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
    """

    _name = "fulfilment.review"
    _description = "Review Sign-off"
    _order = "order_id desc, sequence, id"
    _rec_name = "department"

    res_model = fields.Char(string="Reviewed Model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(
        string="Reviewed Record", model_field="res_model", required=True, readonly=True, index=True
    )
    order_id = fields.Many2one(
        "sale.order",
        readonly=True,
        index=True,
        ondelete="cascade",
        help="The sale order the reviewed record belongs to, if any.",
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, readonly=True, index=True
    )
    rule_id = fields.Many2one("fulfilment.review.rule", readonly=True, ondelete="set null")
    group_id = fields.Many2one("res.groups", string="Reviewer Group", required=True, readonly=True)
    department = fields.Char(
        compute="_compute_department",
        store=True,
        translate=True,
        help="The department that signs: the label of the rule, or the name of the group.",
    )
    sequence = fields.Integer(string="Step", readonly=True)
    round = fields.Integer(readonly=True, help="Each request of a review opens a new round.")
    state = fields.Selection(REVIEW_STATES, default="waiting", required=True, readonly=True, index=True)
    reason_data = fields.Json(
        readonly=True,
        help="Why this review is required, as data, shown in the language of the reader.",
    )
    reason = fields.Text(compute="_compute_reason", help="Why this review is required.")
    requested_by_id = fields.Many2one("res.users", readonly=True)
    request_date = fields.Datetime(readonly=True)
    deadline = fields.Datetime(readonly=True, index=True)
    reviewer_id = fields.Many2one("res.users", readonly=True)
    decision_date = fields.Datetime(readonly=True)
    comment = fields.Text()
    escalated = fields.Boolean(readonly=True, copy=False)
    can_decide = fields.Boolean(compute="_compute_can_decide", search="_search_can_decide")
    cannot_decide_reason = fields.Text(
        string="Why Not Yours",
        compute="_compute_can_decide",
        help="Why you cannot approve or reject this review.",
    )
    is_overdue = fields.Boolean(string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue")
    record_name = fields.Char(string="Document", compute="_compute_record_name")

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

    @api.depends("state", "group_id", "rule_id.allow_self_review", "requested_by_id")
    @api.depends_context("uid")
    def _compute_can_decide(self):
        reasons = self._cannot_decide_reasons(self.env.user)
        for review in self:
            reason = reasons.get(review.id)
            review.can_decide = not reason
            review.cannot_decide_reason = reason or False

    def _search_can_decide(self, operator, value):
        """The reviews whose ``can_decide`` is True for the current user: the pending reviews of
        the user's departments, less those the self-review ban refuses (same rules as the compute)."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'Can Decide'."))
        user = self.env.user
        candidates = self.sudo().search([("state", "=", "pending"), ("group_id", "in", user.groups_id.ids)])
        refused = candidates._self_review_refused_ids(user)
        ids = [review_id for review_id in candidates.ids if review_id not in refused]
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", ids)]

    def _cannot_decide_reasons(self, user):
        """{review id: why ``user`` cannot approve or reject it}; the reviews not in the result
        are the ones the user can decide. A constant number of queries for any number of reviews."""
        reviews = self.sudo()
        user_groups = user.groups_id
        states = dict(self._fields["state"]._description_selection(self.env))
        in_reach = reviews.filtered(lambda r: r.state == "pending" and r.group_id in user_groups)
        refused = in_reach._self_review_refused_ids(user)
        reasons = {}
        for review in reviews:
            if review.state == "waiting":
                reasons[review.id] = self.env._(
                    "Step %(step)s opens once the reviews of the earlier steps are approved.",
                    step=review.sequence,
                )
            elif review.state != "pending":
                reasons[review.id] = self.env._(
                    "This review is %(state)s: there is nothing left to decide.",
                    state=states[review.state],
                )
            elif review.group_id not in user_groups:
                reasons[review.id] = self.env._(
                    "Only members of %(group)s can decide this review.", group=review.group_id.full_name
                )
            elif review.id in refused:
                reasons[review.id] = self.env._(
                    "You requested this document or are its salesperson: another member of %(group)s "
                    "must sign this review.",
                    group=review.department,
                )
        return reasons

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

    def _self_review_refused(self, user):
        """The order's salesperson and the requester may not sign, unless the rule allows it."""
        self.ensure_one()
        return self.id in self._self_review_refused_ids(user)

    def _self_review_refused_ids(self, user):
        """Ids of the reviews in self that ``user`` may not sign (``_self_review_users``) when
        their rule does not allow self-review. Reads every review at once."""
        refused = self.sudo().filtered(lambda r: not r.rule_id.allow_self_review)
        users = refused._self_review_users()
        return {review.id for review in refused if user in users[review.id]}

    def _check_can_decide(self):
        user = self.env.user
        refused = self._self_review_refused_ids(user)
        for review in self:
            if review.group_id not in user.groups_id:
                raise AccessError(
                    self.env._(
                        "Only members of %(group)s can decide the review of %(document)s.",
                        group=review.department,
                        document=review.record_name,
                    )
                )
            if review.id in refused:
                raise UserError(
                    self.env._(
                        "You requested %(document)s or are its salesperson, so you cannot sign its "
                        "%(group)s review. Ask another member of the department.",
                        document=review.record_name,
                        group=review.department,
                    )
                )

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
        self.invalidate_model(["state", "reviewer_id", "decision_date", "comment"])

    # ------------------------------------------------------------------
    # Decisions
    # ------------------------------------------------------------------
    def action_approve(self):
        self._decide("approved")
        return True

    def action_reject(self, comment=None):
        if comment is not None and (not isinstance(comment, str) or not comment.strip()):
            raise UserError(self.env._("Write why you reject the review before rejecting it."))
        self._decide("rejected", comment=comment)
        return True

    def _decide(self, decision, comment=None):
        if not self:
            return
        self._lock_reviews()
        for review in self:
            if review.state != "pending":
                raise UserError(
                    self.env._(
                        "The %(group)s review of %(document)s is %(state)s: only reviews waiting for a "
                        "decision can be approved or rejected.",
                        group=review.department,
                        document=review.record_name,
                        state=dict(review._fields["state"]._description_selection(self.env))[review.state],
                    )
                )
        self._check_can_decide()
        comment = comment.strip() if comment else None
        if decision == "rejected":
            missing = self.filtered(lambda r: not (comment or (r.comment or "").strip()))
            if missing:
                raise UserError(
                    self.env._(
                        "Write why you reject the %(group)s review of %(document)s in its comment.",
                        group=missing[0].department,
                        document=missing[0].record_name,
                    )
                )
        values = {
            "state": decision,
            "reviewer_id": self.env.user.id,
            "decision_date": fields.Datetime.now(),
        }
        if comment:
            values["comment"] = comment
        self.sudo().write(values)
        self._remove_activities()
        for model, records in self._reviewed_records().items():
            reviews = self.filtered(lambda r, model=model: r.res_model == model)
            records.sudo()._review_after_decision(reviews.sudo(), decision)

    # ------------------------------------------------------------------
    # Steps, activities, escalation
    # ------------------------------------------------------------------
    def _open(self, now=None):
        """Make these waiting reviews pending: set their deadline and notify the reviewers."""
        now = now or fields.Datetime.now()
        for hours, reviews in self.grouped(lambda r: r.rule_id.response_hours or 24.0).items():
            reviews.sudo().write({"state": "pending", "deadline": now + timedelta(hours=hours)})
        self._create_activities()

    def _notified_users(self):
        """{review id: res.users} told that the review waits for them (its activities, reminders
        and e-mails): the active internal members of its group who work for its company, less
        those the self-review ban refuses. Reads every review at once."""
        refused_by_review = self._self_review_users()
        members = {}  # {(group, company): its active internal members who work for the company}
        result = {}
        for review in self.sudo():
            key = (review.group_id, review.company_id)
            if key not in members:
                members[key] = review.group_id.users.filtered(
                    lambda u, company=review.company_id: not u.share and u.active and company in u.company_ids
                )
            users = members[key]
            if not review.rule_id.allow_self_review:
                users -= refused_by_review[review.id]
            result[review.id] = users
        return result

    def _create_activities(self):
        activity_type = self.env.ref("order_fulfilment.mail_activity_type_review", raise_if_not_found=False)
        if not activity_type:
            return
        model_ids = {model: self.env["ir.model"]._get_id(model) for model in set(self.mapped("res_model"))}
        users_by_review = self._notified_users()
        values = []
        for review in self:
            record = review._reviewed_record()
            if record is None:
                continue
            for user in users_by_review[review.id]:
                # In the reviewer's language.
                in_lang = review.with_context(lang=user.lang)
                values.append(
                    {
                        "activity_type_id": activity_type.id,
                        "res_model_id": model_ids[review.res_model],
                        "res_id": review.res_id,
                        "user_id": user.id,
                        "date_deadline": fields.Date.context_today(review, review.deadline),
                        "summary": in_lang.env._("%(group)s review", group=in_lang.department),
                        "note": in_lang.reason,
                        "fulfilment_review_id": review.id,
                    }
                )
        if values:
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(values)

    def _remove_activities(self):
        activities = self.env["mail.activity"].sudo().search([("fulfilment_review_id", "in", self.ids)])
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
